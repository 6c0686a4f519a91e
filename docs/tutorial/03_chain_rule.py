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
# # 3. The chain rule; add and multiply nodes
#
# The backward pass of chapter 2 looked like magic: each node passed a number to its inputs,
# and the numbers came out right. The rule behind it is the **chain rule**: if `z` depends on `t`
# and `t` depends on `x`, then `dz/dx = dz/dt · dt/dx`. A node only ever needs its own *local*
# derivative; it multiplies it by the gradient arriving from downstream and passes the product on.

# %% [markdown] lang="ko"
# # 3. 연쇄법칙과 덧셈·곱셈 노드
#
# 2장의 역전파는 마술처럼 보였습니다. 각 노드가 입력 쪽으로 수를 건넸을 뿐인데 답이 맞았지요. 그 뒤에
# 있는 규칙이 **연쇄법칙**입니다. `z`가 `t`의 함수이고 `t`가 `x`의 함수이면 `∂z/∂x = ∂z/∂t · ∂t/∂x`
# 입니다. 노드는 자기의 *국소적* 미분만 알면 됩니다. 하류(출력 쪽)에서 흘러온 기울기에 국소적 미분을
# 곱해 상류(입력 쪽)로 넘기면 됩니다.

# %% [markdown] lang="en"
# ## The book's example: z = (x + y)²
#
# Split it in two nodes: `t = x + y`, then `z = t²`. Locally, `∂z/∂t = 2t` and `∂t/∂x = 1`, so
# `∂z/∂x = 2t · 1 = 2(x + y)`. At `x = 2, y = 3` that is 10.

# %% [markdown] lang="ko"
# ## 책의 예: z = (x + y)²
#
# 두 노드로 나눕니다. `t = x + y`, 그리고 `z = t²`. 국소적 미분은 `∂z/∂t = 2t`, `∂t/∂x = 1`이므로
# `∂z/∂x = 2t · 1 = 2(x + y)`입니다. `x = 2, y = 3`이면 10입니다.

# %%
import math

from autograd import Value, gradcheck, trace_backward
from autograd.viz import draw_dot

x, y = Value(2.0, label="x"), Value(3.0, label="y")
t = x + y
t.label = "t"
z = t**2
z.label = "z"
z.backward()
print(z.data, x.grad, y.grad)
assert z.data == 25.0
assert x.grad == 2 * (2.0 + 3.0) and y.grad == 2 * (2.0 + 3.0)  # the chain rule, by hand
assert gradcheck(lambda a, b: (a + b) ** 2, [Value(2.0), Value(3.0)])

# %% [markdown] lang="en"
# `trace_backward` shows the pass step by step, as `backward()` runs it: at each node, the gradient
# that arrived (`grad`), and for each input the local derivative, the share it receives
# (`grad × local`) and the formula from the op table that computed it.

# %% [markdown] lang="ko"
# `trace_backward`는 `backward()`가 실행하는 순서 그대로 역전파를 한 단계씩 보여 줍니다. 각 노드에
# 도착한 기울기(`grad`)와, 입력마다의 국소적 미분(`local`), 그 입력이 받는 몫(`grad × local`), 그리고
# 그 값을 계산한 연산 표의 공식이 나옵니다.

# %%
steps = trace_backward(z)
for step in steps:
    for share in step.shares:
        print(
            f"{step.node.label} ({step.op}): grad {step.grad:g} x local {share.local:g} -> "
            f"{share.input.label} gets {share.share:g}   [{share.formula}]"
        )
square, add = steps
assert square.grad == 1.0 and square.shares[0].local == 2 * t.data  # d(t²)/dt = 2t = 10
assert add.grad == 2 * t.data and [s.local for s in add.shares] == [1.0, 1.0]  # d(x+y)/dx = 1
assert [s.share for s in add.shares] == [10.0, 10.0]

# %% [markdown] lang="en"
# ## The add node
#
# For `z = x + y`, both local derivatives are 1: an add node passes the upstream gradient on
# **unchanged** to both inputs. The book's figure: `10 + 5`, with a gradient of `1.3` arriving
# from downstream. We make the 1.3 arrive by multiplying the node by 1.3 afterwards, as if the
# rest of the network did it.

# %% [markdown] lang="ko"
# ## 덧셈 노드
#
# `z = x + y`에서는 두 국소적 미분이 모두 1입니다. 덧셈 노드는 상류에서 온 기울기를 두 입력에 **그대로**
# 흘려보냅니다. 책의 그림처럼 `10 + 5`에 하류에서 기울기 `1.3`이 흘러온다고 합시다. 신경망의 나머지
# 부분이 했을 일을 흉내 내어, 노드의 결과에 1.3을 곱하면 1.3이 흘러옵니다.

# %%
x, y = Value(10.0, label="x"), Value(5.0, label="y")
s = x + y
s.label = "x + y"
loss = s * 1.3
loss.backward()
print(s.grad, x.grad, y.grad)
assert s.grad == 1.3
assert x.grad == 1.3 and y.grad == 1.3  # passed on unchanged

# %% [markdown] lang="en"
# ## The multiply node: predict, then reveal
#
# For `z = x · y`, `∂z/∂x = y` and `∂z/∂y = x`: a multiply node passes the upstream gradient
# times the **other** input. With `x = 10`, `y = 5` and `1.3` arriving, which input receives 13,
# and which 6.5? Decide before running the cell.
#
# <details><summary>Answer</summary>
#
# `x` receives `1.3 × y = 6.5` and `y` receives `1.3 × x = 13`: the inputs are swapped. That is
# why a multiply node must keep its inputs from the forward pass, while an add node need not.
# </details>

# %% [markdown] lang="ko"
# ## 곱셈 노드: 예측해 보고 확인하기
#
# `z = x · y`에서는 `∂z/∂x = y`, `∂z/∂y = x`입니다. 곱셈 노드는 상류의 기울기에 **다른 쪽** 입력을
# 곱해 넘깁니다. `x = 10`, `y = 5`에 `1.3`이 흘러오면 어느 입력이 13을, 어느 입력이 6.5를 받을까요?
# 셀을 실행하기 전에 정해 보세요.
#
# <details><summary>답</summary>
#
# `x`는 `1.3 × y = 6.5`를, `y`는 `1.3 × x = 13`을 받습니다. 입력이 서로 "바뀌어" 곱해집니다. 그래서
# 곱셈 노드는 순전파 때의 입력값을 보관해야 하고, 덧셈 노드는 그럴 필요가 없습니다.
# </details>

# %%
x, y = Value(10.0, label="x"), Value(5.0, label="y")
m = x * y
m.label = "x * y"
loss = m * 1.3
loss.backward()
print(f"{m.data:g} {m.grad:g} {x.grad:g} {y.grad:g}")
assert m.data == 50.0 and m.grad == 1.3
assert math.isclose(x.grad, 1.3 * 5.0) and math.isclose(y.grad, 1.3 * 10.0)  # 6.5 and 13

# %%
draw_dot(loss)

# %% [markdown] lang="en"
# ## One table of local derivatives
#
# The engine knows these rules from one place, its op table: one row per operation, one formula
# per input, `(g, x, y, out) -> share`. The shares above came from these very lines.

# %% [markdown] lang="ko"
# ## 국소적 미분의 표 하나
#
# 엔진은 이 규칙들을 한 곳, 연산 표(op table)에서 읽습니다. 연산마다 한 행이 있고 입력마다 공식이 하나
# 있으며, 공식의 모양은 `(g, x, y, out) -> 몫`입니다. 위의 몫들이 바로 이 줄들에서 나왔습니다.

# %%
from autograd.ops import OPS

for node in [s, m]:
    step = trace_backward(node)[0]
    print(step.op, [share.formula for share in step.shares], "from", len(OPS[step.op].grads), "formulas in OPS")
assert len(OPS["+"].grads) == len(OPS["*"].grads) == 2  # one formula per input
assert [share.formula for share in trace_backward(s)[0].shares] == ["g", "g"]
assert [share.formula for share in trace_backward(m)[0].shares] == ["g * y", "g * x"]

# %% [markdown] lang="en"
# ## Try it: the playground
#
# The playground below is a page the library writes (`autograd.viz.playground`): type an
# expression, move a slider, and step through its backward pass. It opens on the lecture's
# `L = (a*b + c) * f`. Predict before you press ▶|: which of `a`, `b`, `c`, `f` gets the largest
# gradient in size? (Multiply-node rule: each input's share is the upstream gradient times the
# *other* input.) Then tick "draw the gradient's own graph" to see that a gradient is itself a
# graph of ordinary operations.

# %% [markdown] lang="ko"
# ## 직접 해 보기: 플레이그라운드
#
# 아래 플레이그라운드는 라이브러리가 쓰는 페이지(`autograd.viz.playground`)입니다. 식을 입력하고
# 슬라이더를 움직이며 역전파를 한 단계씩 따라가 보세요. 강의의 `L = (a*b + c) * f`로 시작합니다.
# ▶|를 누르기 전에 예측해 보세요: `a`, `b`, `c`, `f` 중 기울기의 크기가 가장 큰 것은? (곱셈 노드의
# 규칙: 각 입력의 몫은 상류 기울기 곱하기 *다른* 입력입니다.) 그다음 "draw the gradient's own
# graph"를 켜면 기울기 자체도 평범한 연산들의 계산 그래프임을 볼 수 있습니다.

# %%
from pathlib import Path
from urllib.parse import quote

from IPython.display import IFrame

from autograd.viz import playground

Path("pages").mkdir(exist_ok=True)  # the page is written beside the notebook
playground("pages/03_playground.html")
lecture = "expr=" + quote("(a*b + c) * f") + "&v.a=2&v.b=-3&v.c=10&v.f=-2"
IFrame("pages/03_playground.html#" + lecture, width="100%", height=900)

# %% [markdown] lang="en"
# <details><summary>The answer</summary>
#
# `L = (a*b + c) * f = (−6 + 10) × (−2) = −8`. Its gradients are `f.grad = a*b + c = 4`,
# `c.grad = f = −2`, `a.grad = f × b = 6` and `b.grad = f × a = −4`: `a` gets the largest.
# </details>

# %% [markdown] lang="ko"
# <details><summary>답</summary>
#
# `L = (a*b + c) * f = (−6 + 10) × (−2) = −8`이고, 기울기는 `f.grad = a*b + c = 4`,
# `c.grad = f = −2`, `a.grad = f × b = 6`, `b.grad = f × a = −4`입니다. `a`가 가장 큽니다.
# </details>

# %%
a, b, c, f = (Value(v, label=n) for v, n in [(2.0, "a"), (-3.0, "b"), (10.0, "c"), (-2.0, "f")])
L = (a * b + c) * f
L.backward()
print(L.data, a.grad, b.grad, c.grad, f.grad)
assert (L.data, a.grad, b.grad, c.grad, f.grad) == (-8.0, 6.0, -4.0, -2.0, 4.0)  # the rules above, by hand

# %% [markdown] lang="en"
# With the chain rule and these two nodes you can already run the backward pass of chapter 2 by
# hand. The next chapter does exactly that, with the book's `MulLayer` and `AddLayer`.

# %% [markdown] lang="ko"
# 연쇄법칙과 이 두 노드만 있으면 2장의 역전파를 손으로 할 수 있습니다. 다음 장에서는 책의
# `MulLayer`와 `AddLayer`로 바로 그렇게 해 봅니다.
