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
# # 5. Activation layers: ReLU and Sigmoid
#
# A network is mostly multiplications and additions, with a non-linear **activation function**
# between them. The book's two: ReLU, `max(0, x)`, and the sigmoid, `1 / (1 + exp(−x))`. Each has
# a backward you can write in one line, and each line hides an idea: ReLU's is a *mask*, the
# sigmoid's reuses its own *output*. We write both as the book does, check them against the
# engine, and let `gradcheck` (central differences, chapter 1) judge all of them.

# %% [markdown] lang="ko"
# # 5. 활성화 함수 계층: ReLU와 Sigmoid
#
# 신경망은 대부분 곱셈과 덧셈이고, 그 사이에 비선형 **활성화 함수**가 들어갑니다. 책에 나오는 두 가지는
# ReLU `max(0, x)`와 시그모이드 `1 / (1 + exp(−x))`입니다. 둘 다 역전파를 한 줄로 쓸 수 있고, 그 한 줄에
# 각각 아이디어가 숨어 있습니다. ReLU는 *마스크*(mask)를 쓰고, 시그모이드는 자기의 *출력*을 다시 씁니다.
# 책처럼 두 계층을 구현하고, 엔진과 비교하고, 모두 `gradcheck`(1장의 중심 차분)로 검증합니다.

# %% [markdown] lang="en"
# ## ReLU and its mask
#
# The forward pass remembers *where* the input was not positive; the backward pass stops the
# gradient exactly there and lets it through unchanged everywhere else. The book does it on a
# numpy array with `self.mask = (x <= 0)`; here the same on a list.

# %% [markdown] lang="ko"
# ## ReLU와 마스크
#
# 순전파는 입력이 0 이하였던 *위치*를 기억하고, 역전파는 바로 그 위치에서 기울기를 막고 나머지에서는
# 그대로 흘려보냅니다. 책은 넘파이 배열에 `self.mask = (x <= 0)`으로 하지만, 여기서는 리스트로 똑같이 합니다.

# %%
import math

from autograd import GradcheckError, Value, gradcheck
from autograd.viz import draw_dot


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = [v <= 0 for v in x]
        return [0.0 if off else v for v, off in zip(x, self.mask)]

    def backward(self, dout):
        return [0.0 if off else d for d, off in zip(dout, self.mask)]


xs = [-2.0, -0.5, 0.5, 3.0]
dout = [1.0, 2.0, -1.0, 0.5]  # gradients arriving from downstream
relu = Relu()
out = relu.forward(xs)
dx = relu.backward(dout)
print(relu.mask, out, dx)
assert out == [max(0.0, v) for v in xs]
assert dx == [0.0, 0.0, -1.0, 0.5]  # stopped where x <= 0, unchanged elsewhere

# %% [markdown] lang="en"
# The engine's `relu()` gives the same gradients. To send `dout` into the four outputs at once,
# we differentiate `Σ outᵢ · doutᵢ`, whose gradient with respect to `outᵢ` is exactly `doutᵢ`.

# %% [markdown] lang="ko"
# 엔진의 `relu()`도 같은 기울기를 냅니다. 네 출력에 `dout`을 한꺼번에 흘려보내려고 `Σ outᵢ · doutᵢ`를
# 미분합니다. 이 값을 `outᵢ`로 미분하면 정확히 `doutᵢ`입니다.

# %%
values = [Value(v) for v in xs]
total = sum(v.relu() * d for v, d in zip(values, dout))
total.backward()
print([v.grad for v in values])
assert [v.grad for v in values] == dx
for v in [-2.0, -0.5, 0.5, 3.0]:
    assert gradcheck(lambda a: a.relu(), [Value(v)])

# %% [markdown] lang="en"
# ## Predict, then reveal: ReLU at 0
#
# `gradcheck` passed at four points. What will it say at `x = 0`, where the ReLU has its kink?
#
# <details><summary>Answer</summary>
#
# It fails. The central difference `(relu(h) − relu(−h)) / 2h = h / 2h` is 0.5 for every `h`,
# while the backward pass says 0: at the kink the derivative does not exist, and the engine (like
# the book's `x <= 0` mask and like PyTorch) chooses 0. Neither is wrong; gradcheck just cannot
# judge a point where no derivative exists, so check off the kinks.
# </details>

# %% [markdown] lang="ko"
# ## 예측해 보고 확인하기: 0에서의 ReLU
#
# `gradcheck`는 네 점에서 통과했습니다. ReLU가 꺾이는 `x = 0`에서는 뭐라고 할까요?
#
# <details><summary>답</summary>
#
# 실패합니다. 중심 차분 `(relu(h) − relu(−h)) / 2h = h / 2h`는 어떤 `h`에서든 0.5이지만, 역전파는 0이라고
# 합니다. 꺾이는 점에서는 미분이 존재하지 않고, 엔진은 (책의 `x <= 0` 마스크처럼, 그리고 PyTorch처럼) 0을
# 고릅니다. 어느 쪽도 틀린 것은 아닙니다. 미분이 없는 점은 gradcheck가 판정할 수 없으니, 꺾이는 점을 피해서
# 검사하면 됩니다.
# </details>

# %%
try:
    gradcheck(lambda a: a.relu(), [Value(0.0)])
    failed = False
except GradcheckError as error:
    failed = True
    print(error)
assert failed
h = 1e-6
assert (max(0.0, h) - max(0.0, -h)) / (2 * h) == 0.5  # the numeric side of the disagreement

# %% [markdown] lang="en"
# ## Sigmoid, and why the backward needs only the output
#
# With `y = 1 / (1 + exp(−x))`, the book works through the graph of figure 5-20 (`× −1`, `exp`,
# `+ 1`, `/`) node by node and arrives at `∂y/∂x = y (1 − y)`. So the layer keeps its *output*
# in the forward pass, and the backward is one line.

# %% [markdown] lang="ko"
# ## 시그모이드, 그리고 역전파에 출력만 필요한 이유
#
# `y = 1 / (1 + exp(−x))`에 대해 책은 그림 5-20의 계산 그래프(`× −1`, `exp`, `+ 1`, `/`)를 노드마다
# 따라가 `∂y/∂x = y (1 − y)`에 도달합니다. 그래서 이 계층은 순전파 때 *출력*을 보관하고, 역전파는 한 줄입니다.

# %%
class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1 / (1 + math.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


layer = Sigmoid()
y = layer.forward(0.0)
print(y, layer.backward(1.0))
assert y == 0.5 and layer.backward(1.0) == 0.25  # y (1 - y) at y = 1/2

# %% [markdown] lang="en"
# Three ways to get the same gradient, at a few points: the book's layer; the engine's one
# `sigmoid` node, whose table row is `g * out * (1 - out)`; and the sigmoid spelled out with four
# ordinary ops, as in figure 5-20, so that the engine applies the chain rule through all of them.

# %% [markdown] lang="ko"
# 같은 기울기를 세 가지로 구해 여러 점에서 비교합니다. 책의 계층, 연산 표의 행이 `g * out * (1 - out)`인
# 엔진의 `sigmoid` 노드 하나, 그리고 그림 5-20처럼 평범한 연산 넷으로 풀어 쓴 시그모이드입니다. 마지막
# 경우에는 엔진이 네 노드 모두를 거쳐 연쇄법칙을 적용합니다.

# %%
def spelled_out(x):
    return 1 / (1 + (x * -1).exp())


for point in [-3.0, -0.5, 0.0, 2.0]:
    layer = Sigmoid()
    layer.forward(point)
    by_layer = layer.backward(1.0)
    a, b = Value(point), Value(point)
    a.sigmoid().backward()
    spelled_out(b).backward()
    print(f"{point:5}: {by_layer:.12f} {a.grad:.12f} {b.grad:.12f}")
    s = 1 / (1 + math.exp(-point))
    assert math.isclose(by_layer, s * (1 - s), rel_tol=1e-12)
    assert math.isclose(a.grad, s * (1 - s), rel_tol=1e-12)
    assert math.isclose(b.grad, s * (1 - s), rel_tol=1e-12)
    assert gradcheck(lambda v: v.sigmoid(), [Value(point)])
    assert gradcheck(spelled_out, [Value(point)])

# %% [markdown] lang="en"
# The two graphs, drawn after backward at `x = 1`: one node, or four. Both give `d y/d x`
# ≈ 0.1966 in the leaf on the left.

# %% [markdown] lang="ko"
# `x = 1`에서 역전파한 뒤의 두 그래프입니다. 노드 하나, 또는 넷. 어느 쪽이든 왼쪽 잎(leaf)의
# `d y/d x`는 ≈ 0.1966입니다.

# %%
x1, x2 = Value(1.0, label="x"), Value(1.0, label="x")
one = x1.sigmoid()
one.label = "y"
four = spelled_out(x2)
four.label = "y"
one.backward()
four.backward()
s = 1 / (1 + math.exp(-1.0))
print(f"{x1.grad:.4f} {x2.grad:.4f}")
assert math.isclose(x1.grad, s * (1 - s)) and math.isclose(x2.grad, s * (1 - s))

# %%
draw_dot(one)

# %%
draw_dot(four)

# %% [markdown] lang="en"
# The single node is what a library should use: one node instead of four means less memory and
# time, and its formula reuses `out` instead of recomputing `exp`. The spelled-out graph is what
# makes the formula believable.

# %% [markdown] lang="ko"
# 라이브러리가 써야 할 것은 노드 하나짜리입니다. 노드가 넷에서 하나로 줄면 메모리와 시간이 줄고, 공식은
# `exp`를 다시 계산하지 않고 `out`을 재사용합니다. 풀어 쓴 그래프는 그 공식을 믿게 해 주는 증명입니다.
