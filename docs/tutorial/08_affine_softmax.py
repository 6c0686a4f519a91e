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
# # 8. Affine, Softmax-with-Loss, and the gradient check
#
# The book ends its chapter on backpropagation with three things: the Affine layer (a whole
# batch of weighted sums at once), the Softmax-with-Loss layer (with its famously simple
# backward, y − t), and a two-layer network whose backpropagated gradients are checked
# against numerical ones, parameter by parameter. This chapter does all three on plain Python
# lists, with the layers written by hand in the book's style, and next to each the engine
# computing the same numbers from nothing but forward code.

# %% [markdown] lang="ko"
# # 8. Affine, Softmax-with-Loss, 그리고 기울기 확인
#
# 책은 오차역전파법 장을 세 가지로 마무리합니다. 배치 전체의 가중합을 한꺼번에 계산하는 Affine 계층,
# 역전파가 놀랍도록 간단한(y − t) Softmax-with-Loss 계층, 그리고 오차역전파법으로 구한 기울기를
# 매개변수마다 수치 미분과 비교하는 2층 신경망입니다. 이 장에서는 이 셋을 모두 평범한 파이썬
# 리스트로 합니다. 계층은 책의 방식대로 손으로 쓰고, 그 옆에서 엔진은 순전파 코드만으로 같은 숫자를
# 계산합니다.

# %% [markdown] lang="en"
# ## Helpers on lists
#
# No numpy here: a matrix is a list of rows. Three helpers are enough, and because they only
# use `*`, `+` and `sum`, they work on floats and on `Value`s alike. That matters: the same
# `matmul` serves the hand-written layers (floats) and the engine (Values).

# %% [markdown] lang="ko"
# ## 리스트를 위한 도우미 함수
#
# 여기서는 numpy를 쓰지 않습니다. 행렬은 행의 리스트입니다. 도우미 함수 세 개면 충분하고, `*`, `+`,
# `sum`만 쓰므로 float에도 `Value`에도 똑같이 동작합니다. 이것이 중요합니다. 같은 `matmul`이 손으로
# 쓴 계층(float)에도, 엔진(Value)에도 쓰입니다.

# %%
import math
import random

import autograd
from autograd import Value
from autograd.nn import cross_entropy
from autograd.viz import draw_dot


def matmul(a, b):
    """a·b for lists of rows."""
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]


def transpose(a):
    return [list(col) for col in zip(*a)]


def close(a, b, tol=1e-12):
    """Nested lists equal entry by entry, to tol."""
    if isinstance(a, list):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    return abs(a - b) <= tol


print(matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]))
assert matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]) == [[19, 22], [43, 50]]

# %% [markdown] lang="en"
# ## The Affine layer
#
# For a batch X (one row per example), Y = X W + b, with b added to every row. Its
# backward, given the upstream gradient ∂L/∂Y (`dout`, one row per example),
# is the book's three formulas:
#
# - ∂L/∂X = ∂L/∂Y · Wᵀ
# - ∂L/∂W = Xᵀ · ∂L/∂Y
# - ∂L/∂b = the column sums of ∂L/∂Y
#
# The bias gradient is a sum because b was used once per row: a reused node, as in
# chapter 6, whose gradient adds up over its uses.

# %% [markdown] lang="ko"
# ## Affine 계층
#
# 배치 X(예제 하나가 한 행)에 대해 Y = X W + b이고, b는 모든 행에 더해집니다. 상류에서 온
# 미분 ∂L/∂Y(`dout`, 예제마다 한 행)가 주어지면 역전파는 책의 세 식입니다.
#
# - ∂L/∂X = ∂L/∂Y · Wᵀ
# - ∂L/∂W = Xᵀ · ∂L/∂Y
# - ∂L/∂b = ∂L/∂Y의 열별 합
#
# 편향의 기울기가 합인 까닭은 b가 행마다 한 번씩 쓰였기 때문입니다. 6장의 재사용 노드처럼,
# 쓰인 곳마다 돌아온 기울기가 더해집니다.


# %%
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x  # kept for backward
        return [[v + bj for v, bj in zip(row, self.b)] for row in matmul(x, self.W)]

    def backward(self, dout):
        self.dW = matmul(transpose(self.x), dout)
        self.db = [sum(col) for col in zip(*dout)]
        return matmul(dout, transpose(self.W))


X = [[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]  # 2 examples, 3 features
W = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]  # 3 inputs -> 2 outputs
bias = [0.01, -0.02]
dout = [[1.0, -1.0], [0.5, 2.0]]  # some upstream gradient

layer = Affine(W, bias)
Y = layer.forward(X)
dX = layer.backward(dout)
print(Y)
print(layer.dW, layer.db)
# by pencil: row 0 of Y is 1*0.1 + 2*0.3 + 3*(-0.5) + 0.01 and 1*(-0.2) + 2*0.4 + 3*0.6 - 0.02
assert close(Y[0], [0.1 + 0.6 - 1.5 + 0.01, -0.2 + 0.8 + 1.8 - 0.02])
assert close(Y[1], [-0.1 + 0.15 - 1.0 + 0.01, 0.2 + 0.2 + 1.2 - 0.02])
assert close(layer.dW, [[0.5, -3.0], [2.25, -1.0], [4.0, 1.0]])  # X^T dout, by pencil
assert close(layer.db, [1.5, 1.0])  # column sums of dout

# %% [markdown] lang="en"
# Now the engine. It has no Affine layer and needs none: the forward is the same `matmul` on
# Values. `backward()` differentiates one number, while a layer's backward takes a whole
# matrix `dout`; the bridge is the scalar Σᵢⱼ Yᵢⱼ · doutᵢⱼ, whose
# gradient with respect to Y is exactly `dout`.

# %% [markdown] lang="ko"
# 이제 엔진입니다. 엔진에는 Affine 계층이 없고, 필요하지도 않습니다. 순전파는 Value 위의 같은
# `matmul`입니다. `backward()`는 숫자 하나를 미분하는 반면, 계층의 역전파는 행렬 `dout` 전체를
# 받습니다. 둘을 잇는 다리는 스칼라 Σᵢⱼ Yᵢⱼ · doutᵢⱼ이며, 이 값을 Y로
# 미분하면 정확히 `dout`이 됩니다.

# %%
Xv = [[Value(v) for v in row] for row in X]
Wv = [[Value(v) for v in row] for row in W]
bv = [Value(v) for v in bias]
Yv = [[v + bj for v, bj in zip(row, bv)] for row in matmul(Xv, Wv)]
bridge = sum(y * d for yrow, drow in zip(Yv, dout) for y, d in zip(yrow, drow))
bridge.backward()

engine_dW = [[w.grad for w in row] for row in Wv]
engine_db = [b.grad for b in bv]
engine_dX = [[x.grad for x in row] for row in Xv]
print(engine_dW, engine_db)
assert close([[y.data for y in row] for row in Yv], Y)
assert close(engine_dW, layer.dW) and close(engine_db, layer.db) and close(engine_dX, dX)

# %% [markdown] lang="en"
# ## Softmax-with-Loss
#
# Softmax turns scores into probabilities, yₖ = e^(aₖ) / Σⱼ e^(aⱼ); cross-entropy
# against a one-hot target t is L = -Σₖ tₖ log yₖ. The book's example scores are
# a = (0.3, 2.9, 4.0), with softmax (0.01821127, 0.24519181, 0.73659691).
#
# The book draws this layer's graph (exp, sum, division, log, multiply) and backpropagates
# through it node by node to reach a result that fits on one line.
#
# **Predict**: with target class 2 (so t = (0, 0, 1)), what are ∂L/∂a₀,
# ∂L/∂a₁, ∂L/∂a₂? Write down three numbers before the next
# cell.
#
# <details><summary>The answer</summary>
#
# ∂L/∂aₖ = yₖ − tₖ: the prediction minus the target. So
# (0.0182, 0.2452, 0.7366 − 1 = -0.2634). The wrong classes are pushed down in proportion to
# how much probability they took, the right one pushed up by what it lacks. Over a batch of
# N the loss is the mean, so each row is divided by N.
# </details>

# %% [markdown] lang="ko"
# ## Softmax-with-Loss 계층
#
# 소프트맥스는 점수를 확률로 바꿉니다: yₖ = e^(aₖ) / Σⱼ e^(aⱼ). 원-핫 정답 t에 대한
# 교차 엔트로피 오차는 L = -Σₖ tₖ log yₖ입니다. 책의 예에서 점수는 a = (0.3, 2.9, 4.0)이고,
# 소프트맥스 출력은 (0.01821127, 0.24519181, 0.73659691)입니다.
#
# 책은 이 계층의 계산 그래프(exp, 합, 나눗셈, log, 곱셈)를 그리고 노드 하나하나를 역전파하여 한 줄로
# 쓸 수 있는 결과에 도달합니다.
#
# **예측해 보세요**: 정답이 2번 클래스라면(t = (0, 0, 1)) ∂L/∂a₀,
# ∂L/∂a₁, ∂L/∂a₂는 각각 얼마일까요? 다음 셀을 보기 전에 세
# 숫자를 적어 보세요.
#
# <details><summary>답</summary>
#
# ∂L/∂aₖ = yₖ − tₖ, 즉 예측에서 정답을 뺀 값입니다. 따라서
# (0.0182, 0.2452, 0.7366 − 1 = -0.2634)입니다. 틀린 클래스는 가져간 확률만큼 끌어내리고,
# 맞는 클래스는 모자란 만큼 끌어올립니다. 배치 N개에서는 손실이 평균이므로 각 행을 N으로
# 나눕니다.
# </details>

# %%
a = [Value(0.3, label="a0"), Value(2.9, label="a1"), Value(4.0, label="a2")]
loss = cross_entropy(a, 2)
loss.label = "L"
loss.backward()

book_softmax = [0.01821127, 0.24519181, 0.73659691]  # as the book prints it
print([ai.grad for ai in a])
for ai, yk, tk in zip(a, book_softmax, [0, 0, 1]):
    assert math.isclose(ai.grad, yk - tk, abs_tol=1e-8)
print(loss.data)
assert math.isclose(loss.data, -math.log(book_softmax[2]), rel_tol=1e-7)

# %% [markdown] lang="en"
# The engine never saw the formula y − t. `cross_entropy` is written as
# log Σⱼ e^(aⱼ − m) + m − aₜ (with m the largest score, for stability: chapter 10),
# and the chain rule through `exp`, `+`, `log` and `-` arrived at y − t by itself. The graph:

# %% [markdown] lang="ko"
# 엔진은 y − t라는 공식을 본 적이 없습니다. `cross_entropy`는
# log Σⱼ e^(aⱼ − m) + m − aₜ로 쓰여 있고(m은 가장 큰 점수로, 수치 안정성을 위한 것입니다.
# 10장에서 다룹니다), `exp`, `+`, `log`, `-`를 거치는 연쇄법칙이 스스로 y − t에 도달했습니다.
# 계산 그래프는 다음과 같습니다.

# %%
draw_dot(loss)

# %% [markdown] lang="en"
# The book's layer, by hand: forward keeps the softmax y and the one-hot t; backward is
# one line. (The book adds 10⁻⁷ inside the log to avoid log 0; computing
# log softmax directly from the scores, as below, needs no such nudge and changes no
# digit we print.)

# %% [markdown] lang="ko"
# 손으로 쓴 책의 계층입니다. 순전파는 소프트맥스 출력 y와 원-핫 t를 기억해 두고, 역전파는
# 한 줄입니다. (책은 log 0을 피하려고 log 안에 10⁻⁷을 더합니다. 아래처럼 점수에서 곧바로
# log 소프트맥스를 계산하면 그런 보정이 필요 없고, 출력하는 어떤 자릿수도 바뀌지 않습니다.)


# %%
def log_softmax(row):
    m = max(row)
    log_total = math.log(sum(math.exp(v - m) for v in row)) + m
    return [v - log_total for v in row]


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = [[math.exp(v) for v in log_softmax(row)] for row in x]
        logs = [log_softmax(row) for row in x]
        return -sum(tk * lk for trow, lrow in zip(t, logs) for tk, lk in zip(trow, lrow)) / len(x)

    def backward(self, dout=1.0):
        n = len(self.t)
        return [[dout * (yk - tk) / n for yk, tk in zip(yrow, trow)] for yrow, trow in zip(self.y, self.t)]


last = SoftmaxWithLoss()
book_loss = last.forward([[0.3, 2.9, 4.0]], [[0, 0, 1]])
da = last.backward()
print(last.y[0])
assert close(last.y[0], book_softmax, tol=5e-9)
assert close(da[0], [ai.grad for ai in a]) and math.isclose(book_loss, loss.data, rel_tol=1e-15)

# %% [markdown] lang="en"
# ## The two-layer network and the gradient check
#
# The book's `TwoLayerNet` is Affine → ReLU → Affine → Softmax-with-Loss, with parameters
# `W1, b1, W2, b2`. Its `gradient` runs forward through the layers and then backward through
# them in reverse order, each layer's backward feeding the next. To trust it, the book
# compares it with `numerical_gradient`: nudge every single parameter by ±h
# (h = 10⁻⁴), run the loss forward twice, take the central difference. Slow (two forward
# passes per parameter) but it cannot get the calculus wrong.
#
# A small version: 4 inputs, 5 hidden units, 3 classes, a batch of 3.

# %% [markdown] lang="ko"
# ## 2층 신경망과 기울기 확인
#
# 책의 `TwoLayerNet`은 Affine → ReLU → Affine → Softmax-with-Loss이고, 매개변수는 `W1, b1, W2, b2`
# 입니다. `gradient` 메서드는 계층을 따라 순전파를 하고, 그다음 계층을 거꾸로 따라 역전파를 합니다.
# 각 계층의 역전파 결과가 다음 계층으로 넘어갑니다. 이것을 믿기 위해 책은 `numerical_gradient`와
# 비교합니다. 매개변수 하나하나를 ±h(h = 10⁻⁴)만큼 움직여 손실을 두 번 순전파하고 중앙
# 차분을 구합니다. 매개변수마다 순전파가 두 번 필요하니 느리지만, 미분 계산을 틀릴 수는 없습니다.
#
# 작은 버전으로 해 봅니다. 입력 4개, 은닉 5개, 클래스 3개, 배치 3개입니다.


# %%
class Relu:
    def forward(self, x):
        self.mask = [[v <= 0 for v in row] for row in x]
        return [[0.0 if off else v for v, off in zip(row, m)] for row, m in zip(x, self.mask)]

    def backward(self, dout):
        return [[0.0 if off else d for d, off in zip(row, m)] for row, m in zip(dout, self.mask)]


class TwoLayerNet:
    def __init__(self, params):
        self.params = params  # W1, b1, W2, b2: lists, shared with the layers
        self.layers = [Affine(params["W1"], params["b1"]), Relu(), Affine(params["W2"], params["b2"])]
        self.last = SoftmaxWithLoss()

    def loss(self, x, t):
        for lay in self.layers:
            x = lay.forward(x)
        return self.last.forward(x, t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last.backward(1.0)
        for lay in reversed(self.layers):
            dout = lay.backward(dout)
        first, _, second = self.layers
        return {"W1": first.dW, "b1": first.db, "W2": second.dW, "b2": second.db}


rng = random.Random(0)
params = {
    "W1": [[rng.gauss(0, 0.5) for _ in range(5)] for _ in range(4)],
    "b1": [rng.gauss(0, 0.1) for _ in range(5)],
    "W2": [[rng.gauss(0, 0.5) for _ in range(3)] for _ in range(5)],
    "b2": [rng.gauss(0, 0.1) for _ in range(3)],
}
x_batch = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(3)]
t_batch = [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
net = TwoLayerNet(params)
assert 0 < net.loss(x_batch, t_batch) < 3 * math.log(3)  # a loose sanity bound for random weights

# %% [markdown] lang="en"
# The numerical gradient, the book's way: change one entry in place, evaluate, restore.

# %% [markdown] lang="ko"
# 책의 방식대로 수치 미분을 구합니다. 원소 하나를 그 자리에서 바꾸고, 손실을 계산하고, 되돌려 놓습니다.


# %%
def numerical_gradient(f, params, h=1e-4):
    grads = {}
    for key, p in params.items():
        rows = p if isinstance(p[0], list) else [p]  # a vector is one row
        g = [[0.0] * len(row) for row in rows]
        for i, row in enumerate(rows):
            for j, old in enumerate(row):
                row[j] = old + h
                up = f()
                row[j] = old - h
                down = f()
                row[j] = old
                g[i][j] = (up - down) / (2 * h)
        grads[key] = g if isinstance(p[0], list) else g[0]
    return grads


def flat(nested):
    return [v for item in nested for v in flat(item)] if isinstance(nested, list) else [nested]


grad_numerical = numerical_gradient(lambda: net.loss(x_batch, t_batch), params)
grad_backprop = net.gradient(x_batch, t_batch)
for key in ("W1", "b1", "W2", "b2"):
    diffs = [abs(p - q) for p, q in zip(flat(grad_backprop[key]), flat(grad_numerical[key]))]
    mean = sum(diffs) / len(diffs)
    print(f"{key}: {mean:.1e}")
    assert mean < 1e-8, key  # central differences with h = 1e-4 are good to about h**2

# %% [markdown] lang="en"
# The mean differences are around 10⁻¹⁰ or smaller, as in the book: central differences
# with h = 10⁻⁴ are accurate to about h² = 10⁻⁸ times the third derivative, and
# rounding adds a little. Agreement to this level means the backward pass has no mistake; a
# wrong formula (a forgotten transpose, a missing 1/N) shows up as differences of 10⁻².
#
# Now the third way: the engine. The same network written as forward code on Values, with
# `cross_entropy` from `autograd.nn`, and one `backward()`.

# %% [markdown] lang="ko"
# 평균 차이는 책에서처럼 10⁻¹⁰ 정도이거나 그보다 작습니다. h = 10⁻⁴의 중앙 차분은 3차
# 미분에 h² = 10⁻⁸을 곱한 정도까지 정확하고, 반올림 오차가 조금 더해집니다. 이 정도로 일치하면
# 역전파에 실수가 없다는 뜻입니다. 공식이 틀렸다면(전치를 빠뜨리거나 1/N을 빠뜨리면) 10⁻²
# 정도의 차이가 납니다.
#
# 이제 세 번째 방법, 엔진입니다. 같은 신경망을 Value 위의 순전파 코드로 쓰고, `autograd.nn`의
# `cross_entropy`와 `backward()` 한 번이면 됩니다.

# %%
P = {
    key: [[Value(v) for v in row] for row in p] if isinstance(p[0], list) else [Value(v) for v in p]
    for key, p in params.items()
}


def engine_loss(x, labels):
    h = [[v + bj for v, bj in zip(row, P["b1"])] for row in matmul(x, P["W1"])]
    h = [[v.relu() for v in row] for row in h]
    scores = [[v + bj for v, bj in zip(row, P["b2"])] for row in matmul(h, P["W2"])]
    return cross_entropy(scores, labels)


labels = [row.index(1) for row in t_batch]
L = engine_loss(x_batch, labels)
L.backward()
for key in ("W1", "b1", "W2", "b2"):
    engine = [v.grad for v in flat(P[key])]
    worst = max(abs(p - q) for p, q in zip(engine, flat(grad_backprop[key])))
    print(f"{key}: {worst:.1e}")
    assert worst < 1e-12, key
print(L.data)
assert math.isclose(L.data, net.loss(x_batch, t_batch), rel_tol=1e-12)

# %% [markdown] lang="en"
# The engine and the hand-written layers agree to rounding (10⁻¹⁶), far closer than either
# does to the numerical gradient: they do the same exact calculus, in a slightly different
# order of float operations. `autograd.gradcheck` is the numerical check packaged for any
# function of Values; it raises, naming the input, if any gradient disagrees.

# %% [markdown] lang="ko"
# 엔진과 손으로 쓴 계층은 반올림 수준(10⁻¹⁶)까지 일치하며, 둘 다 수치 미분과의 차이보다 훨씬
# 가깝습니다. 같은 정확한 미분을 float 연산의 순서만 조금 달리 해서 계산하기 때문입니다.
# `autograd.gradcheck`는 수치 미분 비교를 Value의 어떤 함수에든 쓸 수 있게 묶어 놓은 것으로,
# 기울기가 어긋나면 해당 입력을 밝히며 예외를 냅니다.

# %%
first_row = x_batch[0]


def one_example(*w):  # the loss of example 0 as a function of W2's first row
    W2 = [list(w), *[[v.data for v in row] for row in P["W2"][1:]]]
    h = [max(0.0, s + b.data) for s, b in zip(matmul([first_row], params["W1"])[0], P["b1"])]
    scores = [sum(hi * W2[i][k] for i, hi in enumerate(h)) + P["b2"][k].data for k in range(3)]
    return cross_entropy(scores, 0)


ok = autograd.gradcheck(one_example, [v.data for v in P["W2"][0]])
print(ok)
assert ok is True

# %% [markdown] lang="en"
# **Summary.** Affine's backward is two matrix products and a column sum; Softmax-with-Loss's
# is y − t (over N). The book checks hand-written backprop against numerical gradients and
# finds differences near 10⁻¹⁰; the engine, given only the forward code, matches the
# hand-written backprop to rounding. Next: a network that learns.

# %% [markdown] lang="ko"
# **정리.** Affine의 역전파는 행렬 곱 두 개와 열별 합이고, Softmax-with-Loss의 역전파는 y − t
# (N으로 나눈 것)입니다. 책은 손으로 쓴 오차역전파법을 수치 미분과 비교해 10⁻¹⁰ 정도의
# 차이를 확인합니다. 엔진은 순전파 코드만 받고도 손으로 쓴 역전파와 반올림 수준까지 일치합니다.
# 다음 장에서는 실제로 학습하는 신경망을 만듭니다.
