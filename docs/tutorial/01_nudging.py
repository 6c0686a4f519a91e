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
# # 1. The derivative by nudging
#
# A derivative answers one question: if I nudge the input a little, how much does the output move,
# per unit of nudge? Everything in this tutorial, up to training a network, is that question asked
# of many inputs at once. Before any engine, we ask it the slow way: nudge and measure.

# %% [markdown] lang="ko"
# # 1. 수치 미분: 조금 움직여 보기
#
# 미분은 한 가지 질문에 답합니다. 입력을 아주 조금 움직이면 출력은 (움직인 양 한 단위당) 얼마나
# 움직일까? 신경망 학습에 이르기까지 이 튜토리얼의 모든 내용은 이 질문을 많은 입력에 한꺼번에 던지는
# 것입니다. 엔진을 쓰기 전에, 먼저 느린 방법으로 물어봅시다. 조금 움직이고, 재 보는 것입니다.

# %% [markdown] lang="en"
# ## A function and its slope
#
# Take the lecture's parabola `f(x) = 3x² − 4x + 5`. By the rules of calculus its derivative is
# `f'(x) = 6x − 4`, so at `x = 3` the slope is exactly 14. Let us find that number without calculus:
# move `x` by a small `h` and divide the change in `f` by `h`.

# %% [markdown] lang="ko"
# ## 함수와 기울기
#
# 강의에 나오는 포물선 `f(x) = 3x² − 4x + 5`를 봅시다. 미분 공식에 따르면 도함수는 `f'(x) = 6x − 4`
# 이므로, `x = 3`에서의 기울기는 정확히 14입니다. 이 값을 미분 공식 없이 구해 봅시다. `x`를 작은 값
# `h`만큼 움직이고, `f`가 변한 양을 `h`로 나눕니다. 이것이 **수치 미분**(numerical differentiation)입니다.

# %%
import math


def f(x):
    return 3 * x**2 - 4 * x + 5


def exact_slope(x):
    return 6 * x - 4  # the calculus answer, written by hand


h = 0.001
forward = (f(3 + h) - f(3)) / h
print(forward)
# (f(3+h) - f(3)) / h = 14 + 3h exactly, for this parabola
assert math.isclose(forward, 14 + 3 * h, rel_tol=1e-9)

# %% [markdown] lang="en"
# The answer is close to 14 but not 14: it is `14.003`. For a parabola the gap is exactly `3h`
# (expand `f(3 + h)` and see), so it shrinks with `h`. This *forward difference* leans to one side
# of the point. The *central difference* `(f(x + h) − f(x − h)) / 2h` looks both ways, and its
# error shrinks like `h²`; for a parabola it has no error at all, apart from rounding.

# %% [markdown] lang="ko"
# 14에 가깝지만 14는 아닙니다. `14.003`입니다. 포물선에서는 그 차이가 정확히 `3h`이므로
# (`f(3 + h)`를 전개해 보세요) `h`를 줄이면 차이도 줄어듭니다. 이 **전방 차분**은 한쪽으로만 기울어
# 있습니다. 『밑바닥부터 시작하는 딥러닝』의 4장이 쓰는 **중심 차분** `(f(x + h) − f(x − h)) / 2h`는
# 양쪽을 보며, 오차가 `h²`에 비례해 줄어듭니다. 포물선이라면 반올림을 빼면 오차가 아예 없습니다.

# %%
central = (f(3 + h) - f(3 - h)) / (2 * h)
print(central)
assert math.isclose(central, exact_slope(3), rel_tol=1e-9)

# %% [markdown] lang="en"
# ## Predict, then reveal: how small should `h` be?
#
# If a smaller `h` is always better, why not take `h = 1e-15`? Before running the next cell,
# guess which step of the forward difference, from `1e-1` down to `1e-15`, lands closest to 14.
#
# <details><summary>Why there is a best step</summary>
#
# Two errors pull in opposite directions. The formula's own error is `3h`, large for large `h`.
# Rounding adds another: a float carries about 16 significant digits, so `f(3 + h) − f(3)` loses
# digits when the two are almost equal, and dividing by a tiny `h` magnifies what is lost, by
# about `ε·|f| / h` with `ε ≈ 2.2e-16`. The sum is smallest where the two meet, near
# `h ≈ √(ε·|f|/3) ≈ 1e-8`.
# </details>

# %% [markdown] lang="ko"
# ## 예측해 보고 확인하기: `h`는 얼마나 작아야 할까?
#
# `h`가 작을수록 항상 좋다면 `h = 1e-15`를 쓰면 되지 않을까요? 다음 셀을 실행하기 전에, `1e-1`부터
# `1e-15`까지의 전방 차분 가운데 어느 `h`가 14에 가장 가까울지 예측해 보세요.
#
# <details><summary>가장 좋은 간격이 있는 이유</summary>
#
# 두 오차가 반대 방향으로 당깁니다. 공식 자체의 오차는 `3h`라서 `h`가 크면 커집니다. 여기에
# 반올림 오차가 더해집니다. 부동소수점 수는 유효숫자가 16자리쯤이라, 거의 같은 두 수의 차
# `f(3 + h) − f(3)`를 구하면 자릿수를 잃고, 아주 작은 `h`로 나누면 잃은 만큼이 약 `ε·|f| / h`
# (`ε ≈ 2.2e-16`)로 커집니다. 책에서 `h = 1e-50` 같은 값이 반올림 오차 때문에 0이 되어 버린다고
# 경고하는 것도 이 때문입니다. 두 오차의 합은 둘이 만나는 `h ≈ √(ε·|f|/3) ≈ 1e-8` 근처에서 가장 작습니다.
# </details>

# %%
steps = [10.0**-k for k in range(1, 16)]
errors = {}
for h in steps:
    estimate = (f(3 + h) - f(3)) / h
    errors[h] = abs(estimate - exact_slope(3))
    print(f"h = {h:.0e}   estimate = {estimate:.12f}   error = {errors[h]:.1e}")
best = min(errors, key=errors.get)
print("best h:", best)

# large steps: the error is the formula's own, 3h
assert all(math.isclose(errors[h], 3 * h, rel_tol=1e-3) for h in steps[:4])
# the best step sits where truncation (3h) and rounding (eps*|f|/h) balance, near 1e-8
eps = 2.0**-52
balance = math.sqrt(eps * f(3) / 3)
assert balance / 10 <= best <= balance * 10
# at h = 1e-15 the numerator is a whole number of ulps of f(3) = 20 (2**-48 each), so the
# estimate is a multiple of about 2**-48 / 1e-15 = 3.55, and 14 is not one: rounding dominates
assert errors[1e-15] > 0.1

# %% [markdown] lang="en"
# The error falls as `h` falls, until about `1e-8`, and then climbs again: at `1e-15` the estimate
# is off in the first digit. Numerical differentiation is a fine *check*, and we will use it as
# one in every chapter (the library's `gradcheck` uses central differences with `h = 1e-6`), but
# it is a poor way to compute gradients: it is inexact, and it costs one extra evaluation of `f`
# per input. A network has thousands of inputs.

# %% [markdown] lang="ko"
# `h`가 작아질수록 오차도 줄다가 `1e-8` 근처부터 다시 커집니다. `1e-15`에서는 첫째 자리부터
# 틀립니다. 수치 미분은 **검증**에는 훌륭한 도구여서 앞으로 모든 장에서 그렇게 씁니다(라이브러리의
# `gradcheck`는 `h = 1e-6`인 중심 차분을 씁니다). 하지만 기울기를 구하는 방법으로는 좋지 않습니다.
# 정확하지 않고, 입력 하나마다 `f`를 한 번 더 계산해야 합니다. 신경망의 입력(매개변수)은 수천 개입니다.

# %% [markdown] lang="en"
# ## The same slope from the engine
#
# `Value` records every operation as it happens; `backward()` then walks the record in reverse
# and leaves `d f / d x` in `x.grad`, exact and for every input at once. How it does that is the
# subject of the next five chapters. Here we only check that it agrees with calculus.

# %% [markdown] lang="ko"
# ## 엔진이 구한 같은 기울기
#
# `Value`는 연산이 일어날 때마다 기록합니다. `backward()`는 그 기록을 거꾸로 따라가며 `x.grad`에
# `d f / d x`를 남깁니다. 정확하고, 모든 입력에 대해 한 번에 구합니다. 그 방법이 바로
# **오차역전파법**이고, 다음 다섯 장의 주제입니다. 여기서는 미분 공식과 일치하는지만 확인합니다.

# %%
from autograd import Value, gradcheck
from autograd.viz import draw_dot

x = Value(3.0, label="x")
y = f(x)  # the same Python function, now on a Value
y.label = "f"
y.backward()
print(y.data, x.grad)
assert y.data == 20.0  # 27 - 12 + 5
assert x.grad == exact_slope(3)  # 14, exactly: no h, no rounding beyond the float's own
assert gradcheck(f, [Value(3.0)])  # and it agrees with central differences

# %% [markdown] lang="en"
# Below is the graph the engine recorded for `f(3)`: each box is a value with its data and its
# gradient, each small node an operation. The next chapter is about such graphs.

# %% [markdown] lang="ko"
# 아래는 엔진이 `f(3)`을 계산하며 기록한 그래프입니다. 상자 하나가 값 하나이고 그 데이터와 기울기가
# 적혀 있으며, 작은 노드는 연산입니다. 다음 장은 이런 그래프, **계산 그래프**를 다룹니다.

# %%
draw_dot(y)
