# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] lang="en"
# # 6. The order of the backward pass, a reused node, and backward() twice
#
# In chapter 4 we called the layers' `backward` in reverse order by hand. The engine must find
# such an order by itself, in any graph: a node may pass its gradient on only once it has
# received *all* of it, from every node that uses it. That order is a **topological order**,
# reversed. This chapter builds one, shows what goes wrong when a value is used twice and the
# shares are not added, and what happens when `backward()` runs twice. Then the explorer lets you
# step through it all.

# %% [markdown] lang="ko"
# # 6. 역전파의 순서, 두 번 쓰인 노드, backward() 두 번
#
# 4장에서는 계층의 `backward`를 손으로 역순으로 불렀습니다. 엔진은 어떤 그래프에서든 그런 순서를 스스로
# 찾아야 합니다. 노드는 자기를 사용하는 모든 노드로부터 기울기를 *전부* 받은 뒤에야 기울기를 넘길 수
# 있습니다. 그런 순서가 **위상 정렬**(topological order)을 뒤집은 것입니다. 이 장에서는 위상 정렬을
# 직접 만들고, 한 값이 두 번 쓰일 때 몫을 더하지 않으면 무엇이 잘못되는지, `backward()`를 두 번 부르면
# 어떻게 되는지 봅니다. 마지막으로 탐색기(explorer)로 그 모든 과정을 한 단계씩 따라갑니다.

# %% [markdown] lang="en"
# ## A topological order
#
# Karpathy's lecture builds it with a depth-first walk: a node is appended only after all of its
# children. (The engine does the same walk without recursion, so that a graph a million nodes
# deep works too.) Our graph is `y = x·x + x` at `x = 3`, where `x` is used three times.

# %% [markdown] lang="ko"
# ## 위상 정렬
#
# Karpathy의 강의는 깊이 우선 탐색으로 만듭니다. 노드는 자식(입력)이 모두 추가된 뒤에야 추가됩니다. (엔진은
# 같은 탐색을 재귀 없이 하므로 깊이가 백만인 그래프도 됩니다.) 그래프는 `x = 3`에서의 `y = x·x + x`이고,
# `x`가 세 번 쓰입니다.

# %%
from IPython.display import IFrame

from autograd import Value, trace_backward
from autograd.viz import draw_dot, explore


def build(x0):
    x = Value(x0, label="x")
    square = x * x
    square.label = "x*x"
    y = square + x
    y.label = "y"
    return x, square, y


def topological(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for child in node.children:
                visit(child)
            order.append(node)

    visit(root)
    return order


x, square, y = build(3.0)
order = topological(y)
print([node.label for node in order])
assert [node.label for node in order] == ["x", "x*x", "y"]
# every node comes after all of its children
assert all(order.index(child) < order.index(node) for node in order for child in node.children)

# %% [markdown] lang="en"
# Backward walks it from the end: `y` first, then `x*x`, and the leaf `x` last. `trace_backward`
# records the pass `backward()` takes; its steps (one per node that passes a gradient on) come
# in exactly that reversed order.

# %% [markdown] lang="ko"
# 역전파는 이 순서를 끝에서부터 거꾸로 걷습니다. `y`가 먼저, 다음에 `x*x`, 잎(leaf)인 `x`가 마지막입니다.
# `trace_backward`는 `backward()`가 밟는 단계를 기록합니다. 단계(기울기를 넘기는 노드마다 하나)는 정확히
# 그 역순으로 나옵니다.

# %%
steps = trace_backward(y)
print([step.node.label for step in steps])
assert [step.node for step in steps] == [node for node in reversed(order) if node.children]

# %% [markdown] lang="en"
# ## A reused node: the shares add up
#
# `x` receives three shares: 1 from the `+` (which passes its gradient unchanged) and 3 and 3 from
# the `*` (each operand gets the *other* one, which is `x` again). The derivative is
# `dy/dx = 2x + 1 = 7`, the sum. An early version of micrograd *assigned* each share
# (`self.grad = ...`) instead of adding it, and quietly got such gradients wrong: the last share
# overwrote the others.

# %% [markdown] lang="ko"
# ## 두 번 쓰인 노드: 몫은 더해진다
#
# `x`는 몫을 세 번 받습니다. `+`에서 1(덧셈 노드는 기울기를 그대로 넘깁니다), `*`에서 3과 3(곱셈 노드는
# 각 입력에 *다른 쪽* 입력을 곱해 주는데, 그것이 또 `x`입니다). 미분은 `dy/dx = 2x + 1 = 7`로, 세 몫의
# 합입니다. micrograd의 초기 버전은 몫을 더하지 않고 *대입*해서(`self.grad = ...`) 이런 기울기를 조용히
# 틀렸습니다. 마지막 몫이 앞의 몫을 덮어쓴 것입니다. 계산 그래프에서 분기한 값의 역전파는 기울기의 합이라는
# 것, 이것이 책의 덧셈 노드가 말하는 바이기도 합니다.

# %%
shares = [share.share for step in steps for share in step.shares if share.input is x]
print(shares, "sum:", sum(shares), "last only:", shares[-1])
assert shares == [1.0, 3.0, 3.0]
assert sum(shares) == 2 * 3.0 + 1  # 2x + 1
y.backward()
print(x.grad)
assert x.grad == 7.0

# %% [markdown] lang="en"
# ## Predict, then reveal: backward() twice
#
# `x.grad` is 7. We call `y.backward()` once more, without touching anything. What is `x.grad`
# now? And `square.grad`, the gradient held by the inner node `x*x`?
#
# <details><summary>Answer</summary>
#
# `x.grad` is 14: leaves **accumulate**, as in PyTorch, so that gradients from several losses
# (or several mini-batches) can be summed; that is why a training loop sets them to zero before
# each backward (`model.zero_grad()`). `square.grad` stays 1: inner nodes hold the gradient of
# the latest pass only.
# </details>

# %% [markdown] lang="ko"
# ## 예측해 보고 확인하기: backward() 두 번
#
# `x.grad`는 7입니다. 아무것도 건드리지 않고 `y.backward()`를 한 번 더 부릅니다. 이제 `x.grad`는 얼마일까요?
# 안쪽 노드 `x*x`가 가진 기울기 `square.grad`는요?
#
# <details><summary>답</summary>
#
# `x.grad`는 14입니다. 잎 노드의 기울기는 PyTorch처럼 **누적**됩니다. 여러 손실(또는 여러 미니배치)의
# 기울기를 더할 수 있게 하려는 것이고, 그래서 학습 루프는 역전파 전에 기울기를 0으로 만듭니다
# (`model.zero_grad()`). `square.grad`는 1 그대로입니다. 안쪽 노드는 가장 최근 역전파의 기울기만 가집니다.
# </details>

# %%
y.backward()
print(x.grad, square.grad)
assert x.grad == 2 * 7.0
assert square.grad == 1.0
x.grad = 0.0  # what zero_grad() does for each parameter
y.backward()
print(x.grad)
assert x.grad == 7.0

# %%
draw_dot(y)

# %% [markdown] lang="en"
# ## The same pass in the explorer
#
# The explorer is a page the library writes (`autograd.viz.explore`): the forward pass node by
# node, then the backward pass in `backward()`'s order, each step with its chain rule, formula and
# numbers, all read from `trace_backward`. Step with the ▶ button (or the arrow keys, after a click
# in the page). Watch `x` receive its three shares, and "run backward again" add 7 more.

# %% [markdown] lang="ko"
# ## 탐색기로 본 같은 역전파
#
# 탐색기는 라이브러리가 만드는 페이지(`autograd.viz.explore`)입니다. 순전파를 노드마다, 이어서 역전파를
# `backward()`의 순서대로 보여 주며, 각 단계의 연쇄법칙과 공식과 수는 모두 `trace_backward`에서 읽습니다.
# ▶ 버튼으로(또는 페이지를 한 번 클릭한 뒤 화살표 키로) 한 단계씩 넘겨 보세요. `x`가 몫 세 개를 받는 것,
# 그리고 "run backward again"이 7을 더 쌓는 것을 볼 수 있습니다.

# %%
from pathlib import Path

Path("pages").mkdir(exist_ok=True)  # the page is written beside the notebook
x, square, y = build(3.0)
page = explore(y)
page.save("pages/06_explorer.html")
state = [s.grad for s in trace_backward(y)]
print(state)
assert state == [1.0, 1.0]  # d y/d y, d y/d (x*x)
assert x.grad == 0.0  # the explorer runs no backward of its own
IFrame("pages/06_explorer.html", width="100%", height=560)

# %% [markdown] lang="en"
# With the order, the shares that add, and accumulation, you have the whole engine: `backward()`
# is a reversed topological order, one local rule per node, and a sum per input. The next
# chapters build networks on it.

# %% [markdown] lang="ko"
# 순서, 더해지는 몫, 누적까지 보았으니 엔진 전체를 본 셈입니다. `backward()`는 뒤집은 위상 정렬, 노드마다
# 국소적 규칙 하나, 입력마다 합 하나입니다. 다음 장부터는 그 위에 신경망을 쌓습니다.
