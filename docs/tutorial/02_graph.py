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
# # 2. The computational graph: apple shopping
#
# Chapter 5 of *Deep Learning from Scratch* starts with a shopping trip. Two apples at 100 each,
# plus 10% tax: what do you pay? The point is not the arithmetic but its picture, the
# **computational graph**: values on the edges, operations in the nodes, computed from left to
# right. That left-to-right pass is the **forward pass**. The right-to-left pass, which finds how
# the total depends on every input, is the **backward pass**, and it is what this library does.

# %% [markdown] lang="ko"
# # 2. 계산 그래프: 사과 쇼핑
#
# 『밑바닥부터 시작하는 딥러닝』 5장은 장보기로 시작합니다. 1개에 100원인 사과 2개를 사고 소비세가
# 10% 붙으면 얼마를 낼까요? 요점은 계산 자체가 아니라 그 계산을 그린 그림, 즉 **계산 그래프**입니다.
# 노드에는 연산이, 에지에는 값이 있고, 왼쪽에서 오른쪽으로 계산합니다. 이 방향의 계산을
# **순전파**(forward propagation)라 하고, 오른쪽에서 왼쪽으로 가며 각 입력이 최종 금액에 미치는
# 영향을 구하는 계산을 **역전파**(backward propagation)라 합니다. 이 라이브러리가 하는 일이 바로 역전파입니다.

# %% [markdown] lang="en"
# ## Problem 1: two apples
#
# Each `Value` below is a box in the graph; `*` makes a new box from two others and remembers
# them. `label` only names a box for the drawing.

# %% [markdown] lang="ko"
# ## 문제 1: 사과 두 개
#
# 아래의 `Value` 하나하나가 그래프의 상자(노드의 값)입니다. `*`는 두 상자로부터 새 상자를 만들고,
# 어느 상자에서 왔는지를 기억합니다. `label`은 그림에 이름을 붙일 뿐입니다.

# %%
import math

from autograd import Value
from autograd.viz import draw_dot

apple = Value(100.0, label="apple")
count = Value(2.0, label="count")
tax = Value(1.1, label="tax")
subtotal = apple * count
subtotal.label = "subtotal"
price = subtotal * tax
price.label = "price"
print(f"{subtotal.data:g} {price.data:g}")
assert subtotal.data == 200.0
assert math.isclose(price.data, 220.0)  # the book's answer

# %% [markdown] lang="en"
# `price.data` is in fact `220.00000000000003`: `1.1` has no exact binary form, so we compare with
# `math.isclose` and print with `:g`. The recorded graph, forward values only:

# %% [markdown] lang="ko"
# 사실 `price.data`는 `220.00000000000003`입니다. `1.1`은 이진수로 정확히 나타낼 수 없기 때문이라,
# 비교에는 `math.isclose`를 쓰고 출력은 `:g`로 줄였습니다. 기록된 계산 그래프(순전파 값만)는 이렇습니다.

# %%
draw_dot(price, show_grad=False)

# %% [markdown] lang="en"
# ## Why a graph?
#
# Each node only does a **local computation**: the `× tax` node neither knows nor cares that its
# input came from apples. Complicated computations become chains of simple ones, and each node
# keeps its intermediate result. That is what makes the backward pass cheap: one sweep back
# through the same nodes gives the derivative of the price with respect to *every* input.
#
# ## Predict, then reveal
#
# If the price of one apple went up by 1, by how much would you pay more? And if the tax factor
# went up by 1 (from 1.1 to 2.1)? And one more apple? Write down three numbers before running
# the next cell.
#
# <details><summary>Reasoning</summary>
#
# An apple costs you `count × tax = 2 × 1.1 = 2.2` per unit of its price. The tax factor
# multiplies the subtotal, so it is worth `200` per unit. One more apple adds `apple × tax = 110`.
# </details>

# %% [markdown] lang="ko"
# ## 왜 계산 그래프인가?
#
# 각 노드는 **국소적 계산**만 합니다. `× tax` 노드는 입력이 사과에서 왔는지 알지도 못하고 신경 쓰지도
# 않습니다. 복잡한 계산이 단순한 계산의 연결이 되고, 각 노드는 중간 결과를 보관합니다. 그래서 역전파가
# 싸집니다. 같은 노드를 한 번 거꾸로 훑으면 *모든* 입력에 대한 금액의 미분이 나옵니다.
#
# ## 예측해 보고 확인하기
#
# 사과 한 개의 가격이 1원 오르면 지불 금액은 얼마나 오를까요? 소비세 계수가 1 오르면(1.1에서 2.1로)?
# 사과를 한 개 더 사면? 다음 셀을 실행하기 전에 세 수를 적어 보세요.
#
# <details><summary>풀이</summary>
#
# 사과 가격 1원당 `개수 × 소비세 = 2 × 1.1 = 2.2`원이 더 듭니다. 소비세 계수는 소계에 곱해지므로
# 1당 `200`원입니다. 사과 한 개를 더 사면 `사과 가격 × 소비세 = 110`원이 더해집니다.
# </details>

# %%
price.backward()
print(f"{apple.grad:g} {count.grad:g} {tax.grad:g}")
# the book's numbers: d price/d apple = 2.2, d price/d count = 110, d price/d tax = 200
assert math.isclose(apple.grad, 2.2)
assert math.isclose(count.grad, 110.0)
assert math.isclose(tax.grad, 200.0)

# %% [markdown] lang="en"
# The nudge of chapter 1 agrees: raise one input by a small `h`, recompute the price, divide.

# %% [markdown] lang="ko"
# 1장의 수치 미분도 같은 답을 냅니다. 입력 하나를 작은 `h`만큼 올리고 금액을 다시 계산해 `h`로 나눕니다.

# %%
def shop(apple, count, tax):
    return apple * count * tax


h = 1e-6
inputs = (100.0, 2.0, 1.1)
for i, engine in enumerate([apple.grad, count.grad, tax.grad]):
    up = [*inputs]
    down = [*inputs]
    up[i] += h
    down[i] -= h
    nudged = (shop(*up) - shop(*down)) / (2 * h)
    print(f"{nudged:.6f}")
    assert math.isclose(nudged, engine, rel_tol=1e-6)

# %% [markdown] lang="en"
# The graph again, now with each box's gradient: `grad` is *d price / d box*. Read it from the
# right: the price's own gradient is 1, and each node passes a gradient on to its inputs.

# %% [markdown] lang="ko"
# 이번에는 기울기까지 그린 그래프입니다. 상자의 `grad`는 *d 금액 / d 그 상자*입니다. 오른쪽부터
# 읽어 보세요. 금액 자신의 기울기는 1이고, 각 노드가 입력 쪽으로 기울기를 전달합니다.

# %%
draw_dot(price)

# %% [markdown] lang="en"
# ## Problem 2: apples and oranges
#
# Two apples at 100 and three oranges at 150, with 10% tax. Now an addition joins two branches.

# %% [markdown] lang="ko"
# ## 문제 2: 사과와 귤
#
# 1개에 100원인 사과 2개와 1개에 150원인 귤 3개를 사고 소비세 10%가 붙습니다. 이번에는 덧셈 노드가
# 두 갈래를 합칩니다.

# %%
apple = Value(100.0, label="apple")
apples = Value(2.0, label="apples")
orange = Value(150.0, label="orange")
oranges = Value(3.0, label="oranges")
tax = Value(1.1, label="tax")
apple_cost = apple * apples
apple_cost.label = "apple cost"
orange_cost = orange * oranges
orange_cost.label = "orange cost"
subtotal = apple_cost + orange_cost
subtotal.label = "subtotal"
price = subtotal * tax
price.label = "price"
price.backward()
print(f"{price.data:g}")
print(f"{apples.grad:g} {apple.grad:g} {orange.grad:g} {oranges.grad:g} {tax.grad:g}")
# the book's figure 5-17: 715; then 110, 2.2, 3.3, 165, 650
assert math.isclose(price.data, 715.0)
assert math.isclose(apples.grad, 110.0)
assert math.isclose(apple.grad, 2.2)
assert math.isclose(orange.grad, 3.3)
assert math.isclose(oranges.grad, 165.0)
assert math.isclose(tax.grad, 650.0)

# %%
draw_dot(price)

# %% [markdown] lang="en"
# The addition hands its gradient (1.1) to both branches unchanged, and each multiplication
# hands on its gradient times the *other* input. Why exactly that, and why the gradients multiply
# along a path, is the chain rule: the next chapter.

# %% [markdown] lang="ko"
# 덧셈 노드는 받은 기울기(1.1)를 두 갈래에 그대로 넘기고, 곱셈 노드는 받은 기울기에 *다른 쪽* 입력을
# 곱해 넘깁니다. 왜 꼭 그런지, 그리고 왜 경로를 따라 기울기가 곱해지는지가 다음 장의 주제인
# 연쇄법칙입니다.
