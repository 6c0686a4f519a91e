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
# # 12. Higher order: gradients of gradients, and Newton's method
#
# Backward computes numbers: every gradient is a float. But the chain rule is itself arithmetic
# (products and sums of local derivatives), and arithmetic on Values can be recorded. Record the
# backward pass as a graph, and the gradient becomes a function you can differentiate again.
# This chapter does that with `autograd.grad(..., create_graph=True)`, draws the graph of a
# derivative, and uses the second derivative for Newton's method, which reaches a minimum in a
# handful of steps where gradient descent needs hundreds.

# %% [markdown] lang="ko"
# # 12. 고계 미분: 기울기의 기울기, 그리고 뉴턴 방법
#
# 역전파는 숫자를 계산합니다. 모든 기울기는 float입니다. 하지만 연쇄법칙 자체도 산술(국소적 미분의
# 곱과 합)이고, Value 위의 산술은 기록할 수 있습니다. 역전파를 계산 그래프로 기록하면 기울기는 다시
# 미분할 수 있는 함수가 됩니다. 이번 장에서는 `autograd.grad(..., create_graph=True)`로 그 일을 하고,
# 도함수의 계산 그래프를 그려 보고, 2차 미분을 뉴턴 방법에 씁니다. 뉴턴 방법은 경사 하강법이 수백
# 단계 걸리는 최솟값에 몇 단계 만에 도달합니다.

# %% [markdown] lang="en"
# ## A function with two valleys
#
# f(x) = x⁴ − 3x² + x has two valleys (near x = −1.30 and x = 1.13) and a hill between them.
# Its derivatives, by the power rule, are
#
# - f'(x) = 4x³ − 6x + 1
# - f''(x) = 12x² − 6
# - f'''(x) = 24x
#
# We will never give these formulas to the engine; they are only here to check its answers.
#
# **Predict**: f'(2) and f''(2)?

# %% [markdown] lang="ko"
# ## 골짜기가 두 개인 함수
#
# f(x) = x⁴ − 3x² + x는 골짜기가 두 개(x = −1.30과 x = 1.13 근처)이고 그 사이에 언덕이 하나 있습니다.
# 거듭제곱의 미분법으로 구한 도함수는 다음과 같습니다.
#
# - f'(x) = 4x³ − 6x + 1
# - f''(x) = 12x² − 6
# - f'''(x) = 24x
#
# 엔진에게 이 식들을 알려 주지는 않습니다. 엔진의 답을 확인하려고 적어 둘 뿐입니다.
#
# **예측해 보세요**: f'(2)와 f''(2)는?

# %%
import math

from autograd import Value, grad
from autograd.viz import draw_dot


def f(x):
    return x**4 - 3 * x**2 + x


def f1(x):  # by hand, for checking only
    return 4 * x**3 - 6 * x + 1


def f2(x):
    return 12 * x**2 - 6


x = Value(2.0, label="x")
y = f(x)
(slope,) = grad(y, [x], create_graph=True)  # f'(2), as a Value with its own graph
(curvature,) = grad(slope, [x], create_graph=True)  # f''(2), again a Value
(third,) = grad(curvature, [x])  # f'''(2), a float
print(y.data, slope.data, curvature.data, third)
assert (y.data, slope.data, curvature.data, third) == (16 - 12 + 2, f1(2.0), f2(2.0), 24 * 2.0)
assert (slope.data, curvature.data) == (21.0, 42.0)

# %% [markdown] lang="en"
# f'(2) = 32 − 12 + 1 = 21 and f''(2) = 48 − 6 = 42, and f'''(2) = 48 for good measure. Without
# `create_graph=True`, `grad` returns floats, as `backward()` does. With it, the formulas of the
# op table (chapter 11) are run on Values instead of floats: the backward pass of `x**4` computes
# `g * 4 * x**3` as new nodes, and those nodes form the graph of f'. Here it is: the graph of the
# derivative, which the engine built while differentiating.

# %% [markdown] lang="ko"
# f'(2) = 32 − 12 + 1 = 21, f''(2) = 48 − 6 = 42이고, 덤으로 f'''(2) = 48입니다.
# `create_graph=True`가 없으면 `grad`는 `backward()`처럼 float를 돌려줍니다. 이 옵션을 주면 연산 표의
# 공식(11장)이 float 대신 Value 위에서 실행됩니다. `x**4`의 역전파는 `g * 4 * x**3`을 새 노드로
# 계산하고, 그 노드들이 f'의 계산 그래프를 이룹니다. 아래가 그 그래프, 즉 엔진이 미분하면서 만든
# 도함수의 계산 그래프입니다.

# %%
x = Value(2.0, label="x")
(slope,) = grad(f(x), [x], create_graph=True)
slope.label = "f'(x)"
draw_dot(slope)

# %% [markdown] lang="en"
# ## Newton's method
#
# Gradient descent only looks at the slope: x ← x − lr · f'(x), with a step size lr chosen by
# hand. Too small and it crawls; too large and it overshoots. Newton's method also looks at the
# curvature. Near a minimum f is almost a parabola, and the bottom of the parabola that matches
# f's slope and curvature at x lies at
#
# x ← x − f'(x) / f''(x).
#
# No step size to choose, and close to the answer the number of correct digits roughly doubles
# with every step. It needs f'', which is exactly what `create_graph=True` gives.

# %% [markdown] lang="ko"
# ## 뉴턴 방법
#
# 경사 하강법은 기울기만 봅니다: x ← x − lr · f'(x), 학습률 lr은 사람이 고릅니다. 너무 작으면 기어가고,
# 너무 크면 지나쳐 버립니다. 뉴턴 방법은 곡률도 봅니다. 최솟값 근처에서 f는 거의 포물선이고, x에서
# f와 기울기와 곡률이 같은 포물선의 바닥은
#
# x ← x − f'(x) / f''(x)
#
# 에 있습니다. 고를 학습률이 없고, 답에 가까워지면 맞는 자릿수가 단계마다 대략 두 배가 됩니다. 여기에
# f''가 필요한데, `create_graph=True`가 주는 것이 바로 그것입니다.


# %%
def derivatives(x0):
    x = Value(x0)
    (d1,) = grad(f(x), [x], create_graph=True)
    (d2,) = grad(d1, [x])
    return d1.data, d2


newton = [2.0]
while abs(f1(newton[-1])) > 1e-12 and len(newton) < 50:
    d1, d2 = derivatives(newton[-1])
    assert d1 == f1(newton[-1]) and d2 == f2(newton[-1])  # the engine's derivatives are the power rule's
    newton.append(newton[-1] - d1 / d2)

for k, xk in enumerate(newton):
    print(f"{k}  x = {xk:.15f}  f'(x) = {f1(xk):+.2e}")
assert len(newton) - 1 <= 8 and abs(f1(newton[-1])) <= 1e-12

# %% [markdown] lang="en"
# Watch the f'(x) column: 21, then a few steps of approach, then the exponent roughly doubles
# each step (10⁻¹, 10⁻³, 10⁻⁷, 10⁻¹³). That is quadratic convergence. To check the answer without
# trusting any derivative, bisect: f' changes sign between 1 and 1.5, and halving that interval
# 60 times pins the root of 4x³ − 6x + 1 to the last bit.

# %% [markdown] lang="ko"
# f'(x) 열을 보세요. 21에서 시작해 몇 단계 다가간 뒤, 지수가 단계마다 대략 두 배가 됩니다(10⁻¹, 10⁻³,
# 10⁻⁷, 10⁻¹³). 이것이 2차 수렴입니다. 어떤 미분도 믿지 않고 답을 확인하려면 이분법을 쓰면 됩니다. f'는
# 1과 1.5 사이에서 부호가 바뀌고, 그 구간을 60번 반으로 나누면 4x³ − 6x + 1의 근이 마지막 비트까지
# 정해집니다.

# %%
lo, hi = 1.0, 1.5  # f1(lo) < 0 < f1(hi)
for _ in range(60):
    mid = (lo + hi) / 2
    lo, hi = (mid, hi) if f1(mid) < 0 else (lo, mid)
print(newton[-1], lo)
assert math.isclose(newton[-1], lo, rel_tol=1e-13)  # |f'| <= 1e-12 and f'' = 9.3 allow 1e-13
assert f2(newton[-1]) > 0  # curvature positive: a valley, not the hill

# %% [markdown] lang="en"
# **Predict**: gradient descent from the same start with lr = 0.02 (a safe size here; try 0.04
# and it bounces). How many steps to the same |f'(x)| ≤ 10⁻¹²?

# %% [markdown] lang="ko"
# **예측해 보세요**: 같은 출발점에서 lr = 0.02(여기서 안전한 크기입니다. 0.04로 하면 튕겨 다닙니다)의
# 경사 하강법은 같은 |f'(x)| ≤ 10⁻¹²에 몇 단계 만에 도달할까요?

# %%
x_gd, steps = 2.0, 0
while abs(f1(x_gd)) > 1e-12 and steps < 10_000:
    xv = Value(x_gd)
    (d1,) = grad(f(xv), [xv])
    x_gd -= 0.02 * d1
    steps += 1
print(steps, x_gd)
assert 100 < steps < 10_000 and math.isclose(x_gd, lo, rel_tol=1e-11)

# %% [markdown] lang="en"
# Over a hundred steps against Newton's handful. Near the minimum, gradient descent shrinks the
# error by a constant factor per step, 1 − lr · f''(x*) ≈ 1 − 0.02 · 9.3 ≈ 0.81, so every digit
# costs about 11 steps; Newton's error squares. Newton's price is the second derivative, and in
# n dimensions an n × n matrix of them (the Hessian) and a linear solve per step, which is why
# deep learning, with millions of parameters, settles for first-order methods such as SGD and
# Adam.
#
# ## Newton in two dimensions
#
# With two variables, f' becomes the gradient (∂f/∂x, ∂f/∂y) and f'' the 2 × 2 Hessian of
# second derivatives. Each row of the Hessian is the gradient of one component of the gradient,
# so two calls of `grad` on the `create_graph` gradient give it. Rosenbrock's banana-shaped
# valley, f(x, y) = (1 − x)² + 10 (y − x²)², has its minimum at (1, 1); the classic start
# is (−1.2, 1). By hand, its Hessian is
#
# - ∂²f/∂x² = 2 − 40y + 120x²,  ∂²f/∂x∂y = −40x,  ∂²f/∂y² = 20.

# %% [markdown] lang="ko"
# 뉴턴 방법의 몇 단계에 비해 백 단계가 넘게 걸립니다. 최솟값 근처에서 경사 하강법은 단계마다 오차를
# 일정한 비율 1 − lr · f''(x*) ≈ 1 − 0.02 · 9.3 ≈ 0.81로 줄이므로, 자릿수 하나에 약 11단계가 듭니다.
# 뉴턴 방법의 오차는 제곱이 됩니다. 뉴턴 방법의 대가는 2차 미분이며, n차원에서는 n × n 행렬(헤세
# 행렬)과 단계마다 연립방정식 풀이가 필요합니다. 매개변수가 수백만 개인 딥러닝이 SGD나 Adam 같은
# 1차 방법에 만족하는 이유입니다.
#
# ## 2차원에서의 뉴턴 방법
#
# 변수가 두 개면 f'는 기울기 (∂f/∂x, ∂f/∂y)가 되고, f''는 2차 미분으로 된 2 × 2 헤세 행렬이 됩니다.
# 헤세 행렬의 각 행은 기울기의 한 성분의 기울기이므로, `create_graph`로 구한 기울기에 `grad`를 두 번
# 부르면 얻을 수 있습니다. 바나나 모양의 골짜기를 가진 로젠브록 함수 f(x, y) = (1 − x)² + 10 (y − x²)²
# 의 최솟값은 (1, 1)이고, 전통적인 출발점은 (−1.2, 1)입니다. 손으로 구한 헤세 행렬은 다음과 같습니다.
#
# - ∂²f/∂x² = 2 − 40y + 120x²,  ∂²f/∂x∂y = −40x,  ∂²f/∂y² = 20.


# %%
def rosenbrock(x, y):
    return (1 - x) ** 2 + 10 * (y - x * x) ** 2


def gradient_and_hessian(p):
    x, y = Value(p[0]), Value(p[1])
    gx, gy = grad(rosenbrock(x, y), [x, y], create_graph=True)
    return (gx.data, gy.data), (grad(gx, [x, y]), grad(gy, [x, y]))


(gx, gy), ((hxx, hxy), (hyx, hyy)) = gradient_and_hessian([-1.2, 1.0])
print(hxx, hxy, hyy)
assert math.isclose(hxx, 2 - 40 * 1.0 + 120 * 1.44, rel_tol=1e-14) and hyy == 20.0
assert math.isclose(hxy, 48.0, rel_tol=1e-15) and hxy == hyx  # symmetric, as second derivatives are

# %% [markdown] lang="en"
# Each Newton step solves H · d = ∇f for the 2 × 2 system (Cramer's rule is enough) and moves
# to p − d.

# %% [markdown] lang="ko"
# 뉴턴 방법의 각 단계는 2 × 2 연립방정식 H · d = ∇f를 풀고(크라메르 공식이면 충분합니다) p − d로
# 이동합니다.

# %%
p = [-1.2, 1.0]
path = [p]
for _ in range(20):
    (gx, gy), ((hxx, hxy), (hyx, hyy)) = gradient_and_hessian(p)
    if abs(gx) + abs(gy) < 1e-12:
        break
    det = hxx * hyy - hxy * hyx
    p = [p[0] - (hyy * gx - hxy * gy) / det, p[1] - (hxx * gy - hyx * gx) / det]
    path.append(p)
print(len(path) - 1, p)
assert len(path) - 1 <= 12 and math.isclose(p[0], 1.0, rel_tol=1e-12) and math.isclose(p[1], 1.0, rel_tol=1e-12)

# %% [markdown] lang="en"
# A handful of steps from (−1.2, 1) to (1, 1), to the last digit, including a detour that a
# sketch of the valley would not suggest (print `path` to see it: Newton jumps across the
# banana before settling).
#
# **Summary.** `grad(..., create_graph=True)` records the backward pass itself, so gradients
# are Values with graphs and can be differentiated again, to any order. The second derivative
# drives Newton's method, x ← x − f'(x)/f''(x), which converges quadratically; in several
# dimensions the Hessian's rows are gradients of the gradient's components.

# %% [markdown] lang="ko"
# (−1.2, 1)에서 (1, 1)까지 몇 단계 만에, 마지막 자릿수까지 도달합니다. 골짜기 그림만 봐서는 예상하기
# 어려운 우회도 있습니다(`path`를 출력해 보세요. 뉴턴 방법은 자리를 잡기 전에 바나나를 가로질러
# 뜁니다).
#
# **정리.** `grad(..., create_graph=True)`는 역전파 자체를 기록하므로, 기울기가 계산 그래프를 가진
# Value가 되어 몇 차든 다시 미분할 수 있습니다. 2차 미분은 뉴턴 방법 x ← x − f'(x)/f''(x)를 움직이며,
# 이 방법은 2차 수렴합니다. 여러 차원에서는 헤세 행렬의 각 행이 기울기 성분의 기울기입니다.
