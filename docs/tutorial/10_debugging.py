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
# # 10. Debugging: where did the NaN come from?
#
# Sooner or later a training run prints `loss: nan`. By then the NaN has flowed through
# thousands of operations, and every one of them is now NaN too; the question is which
# operation made the first one, and on which line. This chapter shows how NaN and infinity
# arise in floating point, how the engine refuses them at the operation that makes them, how
# `autograd.detect_anomaly()` names the line of your code behind a bad gradient, and the most
# famous case of all: softmax at logits of ±1000, naive and stable.

# %% [markdown] lang="ko"
# # 10. 디버깅: NaN은 어디서 왔을까?
#
# 언젠가는 학습 중에 `loss: nan`이 출력됩니다. 그때쯤이면 NaN은 이미 수천 개의 연산을 거쳐 흘러갔고,
# 그 연산들의 결과도 모두 NaN입니다. 문제는 어느 연산이, 코드의 몇 번째 줄에서 처음 NaN을 만들었느냐
# 입니다. 이번 장에서는 부동소수점에서 NaN과 무한대가 생기는 방식, 엔진이 그것을 만드는 바로 그
# 연산에서 거부하는 방식, `autograd.detect_anomaly()`가 잘못된 기울기 뒤에 있는 코드 줄을 짚어 주는
# 방식, 그리고 가장 유명한 사례인 로짓 ±1000에서의 소프트맥스(단순한 방법과 안정적인 방법)를
# 살펴봅니다.

# %% [markdown] lang="en"
# ## How floats go wrong, silently
#
# A Python float holds numbers up to about 1.8 × 10³⁰⁸. Multiply past that and the
# result is `inf`, with no error. Subtract `inf` from `inf`, or multiply it by 0, and the result
# is `nan`, "not a number", again with no error. And `nan` spreads: any arithmetic with it
# gives `nan`, and every comparison with it is false, so `if loss < best:` quietly does nothing.

# %% [markdown] lang="ko"
# ## 부동소수점이 조용히 틀어지는 방식
#
# 파이썬의 float는 약 1.8 × 10³⁰⁸까지 담을 수 있습니다. 그 이상으로 곱하면 오류 없이
# `inf`가 됩니다. `inf`에서 `inf`를 빼거나 `inf`에 0을 곱하면, 역시 오류 없이 "숫자가 아님"을 뜻하는
# `nan`이 됩니다. 그리고 `nan`은 번집니다. `nan`이 끼어든 산술은 모두 `nan`이 되고, `nan`과의
# 비교는 모두 거짓이라서 `if loss < best:` 같은 코드는 조용히 아무 일도 하지 않습니다.

# %%
import math

import autograd
from autograd import OperationError, Value
from autograd.nn import cross_entropy
from autograd.viz import draw_dot

big = 1e200 * 1e200
gap = big - big
print(big, gap, gap * 0, gap < 1.0, gap > 1.0)
assert big == math.inf and math.isnan(gap) and math.isnan(gap * 0)
assert not (gap < 1.0) and not (gap > 1.0)  # every comparison with nan is False

# %% [markdown] lang="en"
# ## The engine refuses at the operation
#
# A `Value` always holds a finite float. Every op checks its result, in every mode, so the
# same overflow on Values raises `autograd.OperationError` (here its subclass for overflows)
# at the multiplication itself, naming the op, its inputs and the line that ran it.

# %% [markdown] lang="ko"
# ## 엔진은 그 연산에서 거부한다
#
# `Value`는 언제나 유한한 float만 담습니다. 모든 연산은 어떤 모드에서든 결과를 검사하므로, Value에서
# 같은 오버플로가 일어나면 곱셈 그 자리에서 `autograd.OperationError`(여기서는 오버플로용 하위
# 클래스)가 발생하며, 연산 이름, 입력, 그것을 실행한 코드 줄을 알려 줍니다.

# %%
a = Value(1e200, label="a")
caught = None
try:
    product = a * a
except OperationError as error:
    caught = error
print(caught)
assert isinstance(caught, OverflowError) and caught.op == "*" and caught.inputs == (1e200, 1e200)
assert "product = a * a" in str(caught)  # the line of code that made it

# %% [markdown] lang="en"
# ## A NaN in the backward pass
#
# Forward values are easy to check. Gradients are where NaN usually hides, because a function
# can be perfectly finite where its derivative is not. The classic: the distance
# r = √(dx² + dy²) between two points. It is 0 when the points coincide, a fine number,
# but ∂r/∂dx = dx / r is 0/0 there. PyTorch computes it and you get NaN
# in every gradient downstream, without a word.
#
# Below, a small "loss" sums the distances from a centre to three points; one of the points
# sits exactly on the centre. The distance is computed in a helper function, as real code
# would, a few lines away from where `backward()` is called.

# %% [markdown] lang="ko"
# ## 역전파 속의 NaN
#
# 순전파 값은 검사하기 쉽습니다. NaN이 주로 숨는 곳은 기울기입니다. 함수 자체는 멀쩡히 유한한데 그
# 미분은 그렇지 않은 곳이 있기 때문입니다. 대표적인 예가 두 점 사이의 거리 r = √(dx² + dy²)
# 입니다. 두 점이 겹치면 거리는 0으로 멀쩡한 값이지만, 거기서 ∂r/∂dx = dx / r은
# 0/0입니다. PyTorch는 이것을 그대로 계산하고, 그 아래의 모든 기울기가 아무 경고 없이 NaN이 됩니다.
#
# 아래의 작은 "손실"은 중심에서 세 점까지의 거리를 더합니다. 그중 한 점은 정확히 중심 위에 있습니다.
# 실제 코드처럼 거리는 `backward()`를 부르는 곳에서 몇 줄 떨어진 도우미 함수 안에서 계산합니다.


# %%
def distance(p, q):
    dx, dy = p[0] - q[0], p[1] - q[1]
    return (dx * dx + dy * dy).sqrt()


def spread(centre, points):
    return sum(distance(centre, p) for p in points)


points = [(3.0, 4.0), (0.0, 0.0), (-6.0, 8.0)]
centre = [Value(0.0, label="cx"), Value(0.0, label="cy")]
total = spread(centre, points)
print(total.data)
assert total.data == 5.0 + 0.0 + 10.0  # 3-4-5 and 6-8-10 triangles

# %% [markdown] lang="en"
# **Predict**: `total.backward()` has to pass a gradient through √· at 0 for the
# middle point. What happens: a NaN in `centre[0].grad`, an infinity, or something else?

# %% [markdown] lang="ko"
# **예측해 보세요**: `total.backward()`는 가운데 점에 대해 0에서의 √·를 거쳐 기울기를
# 전해야 합니다. 어떻게 될까요? `centre[0].grad`에 NaN이 들어갈까요, 무한대가 들어갈까요, 아니면
# 다른 일이 일어날까요?

# %%
caught = None
try:
    total.backward()
except OperationError as error:
    caught = error
print(caught)
assert isinstance(caught, ZeroDivisionError) and caught.op == "sqrt"
assert centre[0].grad == 0.0 and centre[1].grad == 0.0  # leaves keep the .grad they had

# %% [markdown] lang="en"
# Neither: backward stops at the first gradient that is not finite, says which op and at what
# input (the local derivative of `sqrt` at 0 is 1/(2√0), a division by zero), and leaves
# every `.grad` as it was. But it can only say *which op*. Which of the many `sqrt` nodes, made
# where? The message says how to find out: run the code under `autograd.detect_anomaly()`. In
# that mode every node remembers the line of your code that made it (which is slow: a
# debugging tool, not for training), and the error names it.

# %% [markdown] lang="ko"
# 둘 다 아닙니다. 역전파는 처음으로 유한하지 않은 기울기를 만나면 멈추고, 어느 연산이 어떤 입력에서
# 그랬는지 알려 주며(0에서 `sqrt`의 국소적 미분은 1/(2√0), 즉 0으로 나누기입니다), 모든
# `.grad`를 원래대로 둡니다. 하지만 여기서 알 수 있는 것은 *어느 연산*인지뿐입니다. 수많은 `sqrt` 노드
# 중 어느 것이, 어디서 만들어졌을까요? 메시지가 찾는 법을 알려 줍니다. `autograd.detect_anomaly()`
# 안에서 코드를 실행하는 것입니다. 이 모드에서는 모든 노드가 자신을 만든 코드 줄을 기억하며(느리므로
# 학습용이 아닌 디버깅 도구입니다), 오류 메시지가 그 줄을 짚어 줍니다.

# %%
with autograd.detect_anomaly():
    centre = [Value(0.0, label="cx"), Value(0.0, label="cy")]
    total = spread(centre, points)
    caught = None
    try:
        total.backward()
    except OperationError as error:
        caught = error
print(caught)
assert caught.op == "sqrt" and "return (dx * dx + dy * dy).sqrt()" in str(caught)

# %% [markdown] lang="en"
# There it is: the `return` line of `distance`. The fix is a decision about the mathematics,
# not about the code. Here the distance has no derivative at 0 (it is a cone's tip), so either
# keep points off the centre, or use a smoothed distance √(dx² + dy² + ε) whose
# gradient at the tip is 0, a common choice.

# %% [markdown] lang="ko"
# 찾았습니다. `distance`의 `return` 줄입니다. 고치는 방법은 코드가 아니라 수학에 대한 결정입니다.
# 거리 함수는 0에서 미분할 수 없으므로(원뿔의 꼭짓점입니다) 점이 중심에 오지 않게 하거나, 꼭짓점에서
# 기울기가 0이 되는 매끄러운 거리 √(dx² + dy² + ε)을 쓰는 것이 흔한 선택입니다.


# %%
def smooth_distance(p, q, eps=1e-12):
    dx, dy = p[0] - q[0], p[1] - q[1]
    return (dx * dx + dy * dy + eps).sqrt()


centre = [Value(0.0, label="cx"), Value(0.0, label="cy")]
total = sum(smooth_distance(centre, p) for p in points)
total.backward()
print(centre[0].grad, centre[1].grad)
# d/dcx of sum |c - p| is the sum of unit vectors (c - p)/|c - p|: (-3/5 + 6/10), (-4/5 - 8/10)
assert math.isclose(centre[0].grad, -3 / 5 + 6 / 10, abs_tol=1e-9)
assert math.isclose(centre[1].grad, -4 / 5 - 8 / 10, rel_tol=1e-9)

# %% [markdown] lang="en"
# For contrast, the same computation in PyTorch, if it is installed: no error, and NaN in the
# gradients. (PyTorch has its own `torch.autograd.detect_anomaly()`, which would point at
# the sqrt as well.)

# %% [markdown] lang="ko"
# 비교를 위해, PyTorch가 설치되어 있다면 같은 계산을 PyTorch로 해 봅니다. 오류는 없고 기울기에 NaN이
# 들어갑니다. (PyTorch에도 자체 `torch.autograd.detect_anomaly()`가 있어서, 그것을 쓰면 역시 sqrt를
# 짚어 줍니다.)

# %%
try:
    import torch
except ImportError:
    torch = None

if torch is None:
    print("note: PyTorch is not installed; skipping the comparison")
else:
    c = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    pts = torch.tensor(points, dtype=torch.float64)
    torch_total = ((c - pts) ** 2).sum(dim=1).sqrt().sum()
    torch_total.backward()
    print(torch_total.item(), c.grad.tolist())
    assert torch_total.item() == 15.0 and all(math.isnan(g) for g in c.grad.tolist())

# %% [markdown] lang="en"
# ## Softmax at logits of ±1000
#
# Softmax, yₖ = e^(zₖ) / Σⱼ e^(zⱼ), written as it reads, needs e¹⁰⁰⁰ for a logit of
# 1000. That is about 10⁴³⁴, far beyond a float. numpy and PyTorch give `inf`, and then
# ∞/∞ = NaN. Here the `exp` refuses, at the line:

# %% [markdown] lang="ko"
# ## 로짓 ±1000에서의 소프트맥스
#
# 소프트맥스 yₖ = e^(zₖ) / Σⱼ e^(zⱼ)를 식 그대로 쓰면, 로짓이 1000일 때 e¹⁰⁰⁰이 필요합니다.
# 약 10⁴³⁴로, float의 범위를 한참 넘습니다. numpy와 PyTorch는 `inf`를 내고, 이어서
# ∞/∞ = NaN이 됩니다. 여기서는 `exp`가 그 줄에서 거부합니다.


# %%
def naive_softmax(z):
    exps = [v.exp() for v in z]
    total = sum(exps)
    return [e / total for e in exps]


z = [Value(1000.0, label="z0"), Value(-1000.0, label="z1")]
caught = None
try:
    naive_softmax(z)
except OperationError as error:
    caught = error
print(caught)
assert isinstance(caught, OverflowError) and caught.op == "exp" and caught.inputs == (1000.0,)

# %% [markdown] lang="en"
# The cure is an identity: softmax does not change when the same number is subtracted from
# every logit, since e^(zₖ − m) / Σⱼ e^(zⱼ − m) = e^(zₖ) / Σⱼ e^(zⱼ). Choose m as the
# largest logit, and every exponent is at most e⁰ = 1: nothing overflows. This is how the book implements
# softmax, too. The same trick
# gives the loss directly: -log yₜ = m + log Σⱼ e^(zⱼ − m) − zₜ, which never takes the
# log of a probability that has underflowed to 0.
#
# **Predict**: with logits (1000, -1000) and the target class 1 (the one with logit -1000),
# what are the cross-entropy loss and its two gradients? (Hint: e⁻²⁰⁰⁰ is 0 in floats.)
#
# <details><summary>The answer</summary>
#
# The softmax is (1, e⁻²⁰⁰⁰) = (1, 0). The loss is m + log(1 + e⁻²⁰⁰⁰) − z₁ = 1000 + 0 +
# 1000 = 2000: the network is 2000 nats confidently wrong. The gradients are y − t = (1 − 0, 0 − 1)
# = (1, -1): finite and exactly what learning needs, pushing z₀ down and z₁ up.
# </details>

# %% [markdown] lang="ko"
# 해결책은 항등식 하나입니다. 모든 로짓에서 같은 수를 빼도 소프트맥스는 변하지 않습니다:
# e^(zₖ − m) / Σⱼ e^(zⱼ − m) = e^(zₖ) / Σⱼ e^(zⱼ). m을 가장 큰 로짓으로 고르면 모든 지수가
# e⁰ = 1 이하가 되어 아무것도 오버플로되지 않습니다. 책에서 소프트맥스를 구현할 때 쓰는 바로 그
# 방법입니다. 같은 요령으로 손실을 바로 구할 수도 있습니다: -log yₜ = m + log Σⱼ e^(zⱼ − m) − zₜ.
# 이렇게 하면 0으로 언더플로된 확률에 log를 취할 일이 없습니다.
#
# **예측해 보세요**: 로짓이 (1000, -1000)이고 정답이 1번 클래스(로짓 -1000)일 때, 교차 엔트로피
# 손실과 두 기울기는 얼마일까요? (힌트: float에서 e⁻²⁰⁰⁰은 0입니다.)
#
# <details><summary>답</summary>
#
# 소프트맥스는 (1, e⁻²⁰⁰⁰) = (1, 0)입니다. 손실은 m + log(1 + e⁻²⁰⁰⁰) − z₁ = 1000 + 0 + 1000
# = 2000으로, 신경망이 2000 나트만큼 자신 있게 틀렸다는 뜻입니다. 기울기는
# y − t = (1 − 0, 0 − 1) = (1, −1)로 유한하며, 학습에 필요한 바로 그 값입니다. z₀은 내리고 z₁은
# 올립니다.
# </details>


# %%
def stable_cross_entropy(z, target):
    m = max(v.data for v in z)  # a plain float: no gradient flows through the shift
    log_total = sum((v - m).exp() for v in z).log()
    return m + log_total - z[target]


z = [Value(1000.0, label="z0"), Value(-1000.0, label="z1")]
loss = stable_cross_entropy(z, 1)
loss.label = "loss"
loss.backward()
print(loss.data, z[0].grad, z[1].grad)
assert loss.data == 2000.0 and z[0].grad == 1.0 and z[1].grad == -1.0

# %% [markdown] lang="en"
# The library's `autograd.nn.cross_entropy` does the same (so do `softmax`, `log_softmax` and
# `logsumexp`); it computes the shift with ops under `no_grad()`, so that it also compiles
# (chapter 13). With the target class 0, the network is right, and the loss and gradients are
# exactly 0:

# %% [markdown] lang="ko"
# 라이브러리의 `autograd.nn.cross_entropy`도 같은 일을 합니다(`softmax`, `log_softmax`, `logsumexp`도
# 마찬가지입니다). 이동량은 `no_grad()` 안에서 연산으로 계산하므로 컴파일도 됩니다(13장). 정답이
# 0번 클래스라면 신경망이 맞힌 것이고, 손실과 기울기는 정확히 0입니다.

# %%
for target, expected_loss, expected_grads in [(1, 2000.0, [1.0, -1.0]), (0, 0.0, [0.0, 0.0])]:
    z = [Value(1000.0), Value(-1000.0)]
    library_loss = cross_entropy(z, target)
    library_loss.backward()
    print(target, library_loss.data, [v.grad for v in z])
    assert library_loss.data == expected_loss and [v.grad for v in z] == expected_grads

# %% [markdown] lang="en"
# The stable graph, drawn: the shift m is a constant (a dashed box), so no gradient flows
# into it, and the gradient reaching each logit is exactly y − t.

# %% [markdown] lang="ko"
# 안정적인 계산 그래프를 그려 보면, 이동량 m은 상수(점선 상자)라서 기울기가 흘러 들어가지 않고, 각
# 로짓에 도달하는 기울기는 정확히 y − t입니다.

# %%
draw_dot(loss)

# %% [markdown] lang="en"
# **Summary.** Floats overflow to `inf` and turn into `nan` silently; the engine checks every
# forward result and every gradient, raising at the op that fails. Without anomaly mode the
# error names the op and its inputs; under `autograd.detect_anomaly()` it also names the line of
# your code that made the node. Softmax and cross-entropy are computed with the largest logit
# subtracted first, which makes them exact at logits of ±1000.

# %% [markdown] lang="ko"
# **정리.** float는 조용히 `inf`로 넘치고 `nan`으로 바뀝니다. 엔진은 모든 순전파 결과와 모든 기울기를
# 검사하여 실패한 연산에서 예외를 냅니다. 이상 탐지 모드가 아니면 오류는 연산과 입력을 알려 주고,
# `autograd.detect_anomaly()` 안에서는 그 노드를 만든 코드 줄까지 알려 줍니다. 소프트맥스와 교차
# 엔트로피는 가장 큰 로짓을 먼저 빼고 계산하므로 로짓 ±1000에서도 정확합니다.
