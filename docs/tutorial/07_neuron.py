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
# # 7. A neuron, and tanh taken apart
#
# The graphs so far computed prices. This chapter builds the smallest piece of a neural
# network, one neuron, with the numbers of Karpathy's micrograd lecture, and backpropagates
# through it by hand before the engine does it. Then it takes the neuron's activation, `tanh`,
# apart into `exp`, `+`, `-` and `/`, and shows that the gradient does not care how finely the
# computation is cut into pieces: that is what "local computation" buys.

# %% [markdown] lang="ko"
# # 7. 뉴런 하나, 그리고 tanh 분해하기
#
# 지금까지의 계산 그래프는 사과 가격을 계산했습니다. 이번 장에서는 신경망의 가장 작은 부품인 뉴런
# 하나를 Karpathy의 micrograd 강의에 나오는 숫자 그대로 만들고, 엔진에 맡기기 전에 먼저 손으로
# 역전파를 해 봅니다. 그다음 뉴런의 활성화 함수 `tanh`를 `exp`, `+`, `-`, `/`로 쪼개어, 계산을
# 얼마나 잘게 나누든 기울기는 똑같다는 것을 확인합니다. 이것이 바로 국소적 계산의 힘입니다.

# %% [markdown] lang="en"
# ## The neuron
#
# A neuron multiplies each input by a weight, adds the products and a bias, and passes the
# sum through an activation function:
#
# o = tanh(n),      n = x₁ w₁ + x₂ w₂ + b.
#
# In the book's language this is an Affine layer with one output followed by an activation
# layer. The lecture picks two inputs, x₁ = 2 and x₂ = 0, weights w₁ = -3 and
# w₂ = 1, and a bias with many digits, b = 6.8813735870195432. The bias is not random:
# it makes n = 2 · (-3) + 0 · 1 + b = 0.8813735870195432, which is
# artanh(1/√2) = ln(1 + √2), so the output is exactly
# tanh(n) = 1/√2 ≈ 0.7071. A round number at the output makes the gradients
# round too, as we will see.

# %% [markdown] lang="ko"
# ## 뉴런
#
# 뉴런은 입력마다 가중치를 곱하고, 그 곱들과 편향을 더한 뒤, 그 합을 활성화 함수에 통과시킵니다.
#
# o = tanh(n),      n = x₁ w₁ + x₂ w₂ + b.
#
# 책의 말로 하면 출력이 하나인 Affine 계층 뒤에 활성화 함수 계층이 이어진 것입니다. 강의에서는 입력
# x₁ = 2, x₂ = 0, 가중치 w₁ = -3, w₂ = 1, 그리고 자릿수가 긴 편향
# b = 6.8813735870195432를 씁니다. 이 편향은 아무렇게나 고른 값이 아닙니다.
# n = 2 · (-3) + 0 · 1 + b = 0.8813735870195432가 되는데, 이는
# artanh(1/√2) = ln(1 + √2)이므로 출력이 정확히
# tanh(n) = 1/√2 ≈ 0.7071이 됩니다. 출력이 깔끔한 값이면 기울기도 깔끔해진다는 것을
# 곧 보게 됩니다.

# %%
import math

import autograd
from autograd import Value
from autograd.viz import draw_dot, explore

x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
x1w1 = x1 * w1
x1w1.label = "x1*w1"
x2w2 = x2 * w2
x2w2.label = "x2*w2"
s = x1w1 + x2w2
s.label = "x1*w1 + x2*w2"
n = s + b
n.label = "n"
o = n.tanh()
o.label = "o"

print(n.data, o.data)
assert math.isclose(n.data, math.log(1 + math.sqrt(2)), rel_tol=1e-15)
assert math.isclose(o.data, 1 / math.sqrt(2), rel_tol=1e-15)

# %% [markdown] lang="en"
# Here is the forward pass as a computational graph. Every box is a `Value` with its data;
# the gradients are still 0, because nothing has run backward yet.

# %% [markdown] lang="ko"
# 순전파를 계산 그래프로 그려 보면 다음과 같습니다. 상자 하나하나가 데이터를 담은 `Value`이고,
# 아직 역전파를 하지 않았으므로 기울기는 모두 0입니다.

# %%
draw_dot(o)

# %% [markdown] lang="en"
# ## Predict, then reveal: the gradients by hand
#
# Before calling `backward()`, work out ∂o / ∂x₁, ∂o / ∂w₁,
# ∂o / ∂x₂ and ∂o / ∂w₂ with pencil and paper. Three facts
# are all you need:
#
# 1. the derivative of tanh is 1 − tanh², and we already know tanh(n) = 1/√2;
# 2. an add node passes the upstream gradient on unchanged to each input;
# 3. a multiply node passes it on multiplied by the *other* input (the swap of the book's `MulLayer`).
#
# <details><summary>The reasoning (open after you have your numbers)</summary>
#
# Starting from ∂o/∂o = 1, the tanh node multiplies by its local derivative
# 1 − o² = 1 − ½ = 0.5, so ∂o/∂n = 0.5. The two add nodes hand
# 0.5 to b, to x₁ w₁ and to x₂ w₂. The multiply nodes swap: ∂o/∂x₁
# = 0.5 · w₁ = -1.5, ∂o/∂w₁ = 0.5 · x₁ = 1, ∂o/∂x₂
# = 0.5 · w₂ = 0.5, and ∂o/∂w₂ = 0.5 · x₂ = 0.
# The last one says something about learning: an input of 0 makes its weight's gradient 0,
# so that weight cannot learn from this example, however wrong it is.
# </details>

# %% [markdown] lang="ko"
# ## 예측한 뒤 확인하기: 손으로 구하는 기울기
#
# `backward()`를 부르기 전에 ∂o / ∂x₁, ∂o / ∂w₁,
# ∂o / ∂x₂, ∂o / ∂w₂를 종이와 연필로 구해 보세요. 필요한 것은
# 세 가지뿐입니다.
#
# 1. tanh의 미분은 1 − tanh²이고, tanh(n) = 1/√2임을 이미 알고 있습니다.
# 2. 덧셈 노드는 상류에서 온 미분을 그대로 각 입력으로 흘려보냅니다.
# 3. 곱셈 노드는 상류의 미분에 *상대편* 입력을 곱해서 흘려보냅니다(책의 `MulLayer`에서 x와 y를
#    바꾸던 바로 그것).
#
# <details><summary>풀이 (답을 낸 뒤에 열어 보세요)</summary>
#
# ∂o/∂o = 1에서 출발하면, tanh 노드는 국소적 미분 1 − o² = 1 − ½ = 0.5를
# 곱하므로 ∂o/∂n = 0.5입니다. 두 덧셈 노드는 0.5를 b, x₁ w₁, x₂ w₂에
# 그대로 전합니다. 곱셈 노드는 입력을 서로 바꿔 곱합니다: ∂o/∂x₁ = 0.5 · w₁ =
# -1.5, ∂o/∂w₁ = 0.5 · x₁ = 1, ∂o/∂x₂ = 0.5 · w₂ =
# 0.5, ∂o/∂w₂ = 0.5 · x₂ = 0. 마지막 값은 학습에 대해 중요한 것을
# 알려 줍니다. 입력이 0이면 그 가중치의 기울기도 0이므로, 그 가중치가 아무리 틀렸어도 이 예제로는
# 전혀 배울 수 없습니다.
# </details>

# %% [markdown] lang="en"
# Now the engine. The numbers the lecture reads off its diagram are -1.5, 1.0, 0.5 and 0.0.

# %% [markdown] lang="ko"
# 이제 엔진의 차례입니다. 강의에서 그림을 보며 읽는 값은 -1.5, 1.0, 0.5, 0.0입니다.

# %%
o.backward()
print(n.grad, b.grad)
print(x1.grad, w1.grad, x2.grad, w2.grad)
lecture = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0}
assert math.isclose(n.grad, 0.5, rel_tol=1e-14) and math.isclose(b.grad, 0.5, rel_tol=1e-14)
for leaf in (x1, w1, x2, w2):
    assert math.isclose(leaf.grad, lecture[leaf.label], rel_tol=1e-14, abs_tol=1e-15), leaf.label

# %% [markdown] lang="en"
# Look closely and the printed numbers are not quite round: `-1.4999999999999993` rather than
# `-1.5`. The bias has only 17 significant digits, so n is not exactly ln(1 + √2)
# and o² is not exactly one half; the last few bits of the float show it. The asserts above
# therefore compare with a tolerance of about 10⁻¹⁴, not with `==`.
#
# The lecture's numbers are one independent check. A second one needs no thinking at all:
# nudge each input and watch the output, as in chapter 1. `autograd.gradcheck` does exactly
# that with central differences and raises if any gradient disagrees.

# %% [markdown] lang="ko"
# 자세히 보면 출력된 값이 완전히 깔끔하지는 않습니다. `-1.5`가 아니라 `-1.4999999999999993`입니다.
# 편향의 유효숫자가 17자리뿐이라 n이 정확히 ln(1 + √2)는 아니고, 그래서 o²도
# 정확히 절반이 아니기 때문입니다. 부동소수점의 마지막 몇 비트에 그 차이가 드러납니다. 그래서 위의
# assert는 `==`가 아니라 10⁻¹⁴ 정도의 허용 오차로 비교합니다.
#
# 강의의 숫자가 첫 번째 독립적인 검증이라면, 두 번째 검증은 생각할 필요조차 없습니다. 1장에서처럼
# 입력을 조금 움직이고 출력을 지켜보는 수치 미분입니다. `autograd.gradcheck`가 중앙 차분으로 바로
# 그 일을 하고, 어느 기울기라도 어긋나면 예외를 냅니다.


# %%
def neuron(x1, w1, x2, w2, b):
    return (x1 * w1 + x2 * w2 + b).tanh()


ok = autograd.gradcheck(neuron, [2.0, -3.0, 0.0, 1.0, 6.8813735870195432])
print(ok)
assert ok is True

# %% [markdown] lang="en"
# The graph after backward shows every gradient in its box. Compare it with your pencil.

# %% [markdown] lang="ko"
# 역전파가 끝난 그래프에는 상자마다 기울기가 적혀 있습니다. 손으로 구한 값과 비교해 보세요.

# %%
draw_dot(o)

# %% [markdown] lang="en"
# ## The same pass, one step at a time
#
# The explorer below replays what `backward()` just did, node by node, in the engine's order.
# Press → (or the step buttons) and watch the tanh step: it shows the chain rule with the
# op's formula and the numbers, `local = 1 − out² = 0.5` and `share = upstream × local`.
# Nothing in the page computes a gradient; it shows the steps the engine took
# (`autograd.trace_backward`).

# %% [markdown] lang="ko"
# ## 같은 역전파를 한 단계씩
#
# 아래의 탐색기는 방금 `backward()`가 한 일을 엔진의 순서대로 노드 하나씩 다시 보여 줍니다.
# →(또는 단계 버튼)를 눌러 tanh 단계를 보세요. 연산의 공식과 숫자로 연쇄법칙을 보여 줍니다:
# `local = 1 − out² = 0.5`, 그리고 `share = upstream × local`. 페이지는 기울기를 직접 계산하지
# 않습니다. 엔진이 실제로 밟은 단계(`autograd.trace_backward`)를 보여 줄 뿐입니다.

# %%
from pathlib import Path

from IPython.display import IFrame

Path("pages").mkdir(exist_ok=True)
explore(o).save("pages/07_neuron.html")
IFrame("pages/07_neuron.html", width="100%", height=560)

# %% [markdown] lang="en"
# The steps that page walks through are available as data. Each step is one node that passes
# its gradient on; for each input it records the local derivative, the share handed down, and
# the formula from the op table. The tanh step's formula is the one you used by hand.

# %% [markdown] lang="ko"
# 탐색기가 보여 주는 단계들은 데이터로도 얻을 수 있습니다. 단계 하나는 기울기를 아래로 전하는 노드
# 하나이고, 입력마다 국소적 미분, 아래로 넘겨준 몫(share), 그리고 연산 표에 적힌 공식을 기록합니다.
# tanh 단계의 공식은 여러분이 손으로 쓴 바로 그 식입니다.

# %%
steps = autograd.trace_backward(o)
for step in steps:
    print(step.node.label, step.node.op, [(sh.input.label, sh.formula, sh.local) for sh in step.shares])
assert [step.node.label for step in steps] == ["o", "n", "x1*w1 + x2*w2", "x1*w1", "x2*w2"]
assert steps[0].shares[0].formula == "g * (1 - out * out)"
assert math.isclose(steps[0].shares[0].local, 1 - o.data**2, rel_tol=1e-15)
assert math.isclose(steps[0].shares[0].local, 0.5, rel_tol=1e-14)
for step in steps[1:]:
    a, c = step.node.children
    if step.node.op == "+":  # an add node: local derivative 1 for both inputs
        assert [sh.local for sh in step.shares] == [1.0, 1.0]
    else:  # a multiply node: each input's local derivative is the other input
        assert step.node.op == "*" and [sh.local for sh in step.shares] == [c.data, a.data]
assert [sh.local for sh in steps[3].shares] == [-3.0, 2.0]  # x1*w1: w1 and x1, swapped

# %% [markdown] lang="en"
# ## tanh taken apart
#
# `tanh` is one op here because its derivative is simple and well known. But nothing forces
# that choice. Written with the exponential,
#
# tanh(n) = (e²ⁿ − 1) / (e²ⁿ + 1),
#
# it becomes five smaller ops: a multiply by 2, an `exp`, a subtraction, an addition and a
# division. Each of those knows only its own local derivative: `exp` that its derivative is
# its output, `/` the quotient rule, and so on. None of them knows that together they make a
# tanh.
#
# **Predict**: after backward through the five small ops, will ∂o/∂x₁ still
# be -1.5? Will the new graph take more backward steps, and how many?

# %% [markdown] lang="ko"
# ## tanh 분해하기
#
# 여기서 `tanh`가 연산 하나인 것은 그 미분이 간단하고 잘 알려져 있기 때문입니다. 하지만 꼭 그래야
# 하는 것은 아닙니다. 지수 함수로 쓰면
#
# tanh(n) = (e²ⁿ − 1) / (e²ⁿ + 1)
#
# 이 되어, 2를 곱하기, `exp`, 뺄셈, 덧셈, 나눗셈이라는 다섯 개의 작은 연산이 됩니다. 각 연산은
# 자신의 국소적 미분만 압니다. `exp`는 미분이 자기 출력과 같다는 것을, `/`는 몫의 미분법을 알 뿐,
# 다섯이 모여 tanh가 된다는 사실은 아무도 모릅니다.
#
# **예측해 보세요**: 작은 연산 다섯 개를 거쳐 역전파하면 ∂o/∂x₁은 여전히 -1.5일까요?
# 새 그래프의 역전파는 단계가 더 많아질까요? 몇 단계일까요?

# %%
X1, X2 = Value(2.0, label="x1"), Value(0.0, label="x2")
W1, W2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
B = Value(6.8813735870195432, label="b")
N = X1 * W1 + X2 * W2 + B
N.label = "n"
E = (2 * N).exp()
E.label = "e"
T = (E - 1) / (E + 1)
T.label = "o"
T.backward()

print(T.data)
print(X1.grad, W1.grad, X2.grad, W2.grad)
assert math.isclose(T.data, 1 / math.sqrt(2), rel_tol=1e-15)
for mine, theirs in [(X1, x1), (W1, w1), (X2, x2), (W2, w2), (B, b)]:
    assert math.isclose(mine.grad, theirs.grad, rel_tol=1e-13, abs_tol=1e-15), mine.label
    assert math.isclose(mine.grad, lecture.get(mine.label, 0.5), rel_tol=1e-13, abs_tol=1e-15)

# %% [markdown] lang="en"
# The same gradients, to the last few bits (here the pieces happen to land on exactly -1.5).
# And the steps: the first graph had 5 nodes that pass a gradient on (two products, two
# sums, tanh); this one has the same 4 for n plus one per small op, 9 in all.

# %% [markdown] lang="ko"
# 마지막 몇 비트까지 같은 기울기가 나옵니다(여기서는 작은 연산들 덕분에 우연히 정확히 -1.5가
# 나왔습니다). 단계 수는 어떨까요? 처음 그래프에서 기울기를 전하는 노드는 5개였습니다(곱 두 개, 합
# 두 개, tanh). 이번에는 n까지의 4개에 작은 연산마다 하나씩 더해져 모두 9개입니다.

# %%
pieces = autograd.trace_backward(T)
print(len(steps), len(pieces))
print([step.node.op for step in pieces])
assert len(steps) == 5 and len(pieces) == 4 + 5

# %%
draw_dot(T)

# %% [markdown] lang="en"
# In the diagram, follow e: it has two arrows out, one into e − 1 and one into e + 1.
# Its gradient is the sum of what comes back along both, exactly the reused node of
# chapter 6. The engine adds the two shares without being told; that is the multivariable
# chain rule, and it is why the two graphs agree.
#
# This is the lesson the book draws from its layers, now seen in a graph: a layer, or an op,
# is a local computation. As long as each piece computes its own forward and its own local
# derivative correctly, backpropagation composes them into the right gradient for the whole,
# no matter where you draw the lines between pieces. Big ops (tanh, Softmax-with-Loss) are
# faster and often more exact; small ops need no new calculus. The next chapter uses both.

# %% [markdown] lang="ko"
# 그림에서 e를 따라가 보세요. 화살표가 두 개 나갑니다. 하나는 e − 1로, 하나는 e + 1로.
# e의 기울기는 두 경로로 돌아온 값의 합이며, 6장에서 본 재사용 노드와 정확히 같은 상황입니다.
# 엔진은 시키지 않아도 두 몫을 더합니다. 이것이 다변수 연쇄법칙이고, 두 그래프가 같은 답을 내는
# 이유입니다.
#
# 책이 계층을 통해 가르친 교훈을 이제 계산 그래프로 보는 셈입니다. 계층이든 연산이든 국소적
# 계산입니다. 각 조각이 자신의 순전파와 국소적 미분만 올바르게 계산하면, 오차역전파법은 조각을 어디서
# 나누든 그것들을 엮어 전체의 올바른 기울기를 만들어 냅니다. 큰 연산(tanh, Softmax-with-Loss)은
# 더 빠르고 대개 더 정확하며, 작은 연산은 새로운 미분 공식이 필요 없습니다. 다음 장에서는 둘 다
# 씁니다.

# %% [markdown] lang="en"
# ## The neuron as a module
#
# `autograd.nn.Neuron` is the same computation packaged with its parameters, as micrograd's
# is. Give it the lecture's weights and bias and it gives the lecture's output and gradients.
# It sums in a different order (b + w₁ x₁ + w₂ x₂), so again compare with a tolerance.

# %% [markdown] lang="ko"
# ## 모듈로서의 뉴런
#
# `autograd.nn.Neuron`은 micrograd와 마찬가지로 같은 계산을 매개변수와 함께 묶어 놓은 것입니다.
# 강의의 가중치와 편향을 넣으면 강의의 출력과 기울기가 나옵니다. 더하는 순서가
# (b + w₁ x₁ + w₂ x₂) 다르므로 이번에도 허용 오차로 비교합니다.

# %%
from autograd.nn import Neuron

cell = Neuron(2, activation="tanh")
cell.w[0].data, cell.w[1].data, cell.b.data = -3.0, 1.0, 6.8813735870195432
out = cell([2.0, 0.0])
out.backward()
print(out.data, cell.w[0].grad, cell.w[1].grad, cell.b.grad)
assert math.isclose(out.data, 1 / math.sqrt(2), rel_tol=1e-14)
assert math.isclose(cell.w[0].grad, 1.0, rel_tol=1e-13)
assert cell.w[1].grad == 0.0  # its input was 0
assert math.isclose(cell.b.grad, 0.5, rel_tol=1e-13)

# %% [markdown] lang="en"
# **Summary.** A neuron is a weighted sum and an activation; its gradients follow from three
# local rules (tanh, add, multiply). An input of 0 gives its weight a gradient of 0. Cutting
# tanh into exp-based pieces changes the graph and the number of steps, not the gradient.

# %% [markdown] lang="ko"
# **정리.** 뉴런은 가중합과 활성화 함수입니다. 그 기울기는 세 가지 국소적 규칙(tanh, 덧셈, 곱셈)에서
# 나옵니다. 입력이 0이면 그 가중치의 기울기도 0입니다. tanh를 exp로 된 조각들로 나누면 그래프와
# 단계 수는 바뀌지만 기울기는 바뀌지 않습니다.
