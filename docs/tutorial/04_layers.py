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
# # 4. Local computation: layers by hand, then the engine
#
# The book implements each node as a **layer**: a class with a `forward` that keeps what it will
# need, and a `backward` that takes the gradient from downstream (`dout`) and returns one gradient
# per input. Here we run the apple-and-orange purchase three ways, and get the same numbers each
# time: the book's layers called by hand, the same classes plugged into the engine with
# `autograd.from_layer`, and the engine's own `*` and `+`.

# %% [markdown] lang="ko"
# # 4. 국소적 계산: 손으로 만든 계층에서 엔진까지
#
# 책은 각 노드를 **계층**(layer)으로 구현합니다. `forward`는 나중에 필요한 값을 보관하고, `backward`는
# 하류에서 온 기울기(`dout`)를 받아 입력마다 기울기를 하나씩 돌려주는 클래스입니다. 이 장에서는 사과와
# 귤 쇼핑을 세 가지 방법으로 계산하고, 세 번 모두 같은 수를 얻습니다. 책의 계층을 손으로 호출하는 방법,
# 같은 클래스를 `autograd.from_layer`로 엔진에 꽂는 방법, 그리고 엔진의 `*`와 `+`를 그대로 쓰는 방법입니다.

# %% [markdown] lang="en"
# ## The book's layers
#
# As in section 5.4 of the book, on plain numbers:

# %% [markdown] lang="ko"
# ## 책의 계층
#
# 책의 5.4절과 같은 코드입니다. 평범한 수에 대해 동작합니다.

# %%
import math


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        dx = dout * self.y  # swap x and y
        dy = dout * self.x
        return dx, dy


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1


# the book's numbers (figure 5-17), to compare every way against
BOOK = {"price": 715.0, "apple": 2.2, "apple_num": 110.0, "orange": 3.3, "orange_num": 165.0, "tax": 650.0}

# %% [markdown] lang="en"
# ## Way 1: by hand
#
# Forward, in the order of the graph; then backward, in the **reverse** order, each layer
# handing its `dout` to the layers that fed it. This bookkeeping (who feeds whom, and in which
# order to call `backward`) is exactly what the engine will do for us.

# %% [markdown] lang="ko"
# ## 방법 1: 손으로
#
# 순전파는 그래프의 순서대로, 역전파는 그 **반대** 순서로 호출합니다. 각 계층은 자기에게 입력을 준
# 계층에게 `dout`을 건넵니다. 누가 누구에게 입력을 주는지, 어떤 순서로 `backward`를 부를지를
# 챙기는 이 일을 곧 엔진이 대신 해 줍니다.

# %%
apple, apple_num, orange, orange_num, tax = 100.0, 2.0, 150.0, 3.0, 1.1

mul_apple, mul_orange, add_fruit, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
apple_price = mul_apple.forward(apple, apple_num)
orange_price = mul_orange.forward(orange, orange_num)
all_price = add_fruit.forward(apple_price, orange_price)
price = mul_tax.forward(all_price, tax)

dprice = 1
dall_price, dtax = mul_tax.backward(dprice)
dapple_price, dorange_price = add_fruit.backward(dall_price)
dorange, dorange_num = mul_orange.backward(dorange_price)
dapple, dapple_num = mul_apple.backward(dapple_price)

by_hand = {"price": price, "apple": dapple, "apple_num": dapple_num, "orange": dorange,
           "orange_num": dorange_num, "tax": dtax}
print({name: round(v, 10) for name, v in by_hand.items()})
assert all(math.isclose(by_hand[k], BOOK[k]) for k in BOOK)

# %% [markdown] lang="en"
# ## Way 2: the same classes, plugged into the engine
#
# `autograd.from_layer(MulLayer)` turns the class into an op: each call makes a fresh `MulLayer`,
# runs its `forward`, and keeps it on the new node; `backward()` then calls that layer's
# `backward`. We write the purchase as ordinary code and call `backward()` once; the engine
# finds the order by itself.

# %% [markdown] lang="ko"
# ## 방법 2: 같은 클래스를 엔진에 꽂기
#
# `autograd.from_layer(MulLayer)`는 클래스를 연산으로 바꿉니다. 호출할 때마다 새 `MulLayer`를 만들어
# `forward`를 실행하고, 그 계층을 새 노드에 보관합니다. 그러면 `backward()`가 그 계층의 `backward`를
# 부릅니다. 쇼핑 계산을 평범한 코드로 쓰고 `backward()`를 한 번만 부르면, 순서는 엔진이 알아서 찾습니다.

# %%
import autograd
from autograd import Value
from autograd.viz import draw_dot

mul = autograd.from_layer(MulLayer)
add = autograd.from_layer(AddLayer)


def purchase(mul, add):
    """The graph of figure 5-17 built with the given ops; returns the price and the five inputs."""
    leaves = [Value(v, label=name) for name, v in
              [("apple", 100.0), ("apple_num", 2.0), ("orange", 150.0), ("orange_num", 3.0), ("tax", 1.1)]]
    a, an, o, on, t = leaves
    price = mul(add(mul(a, an), mul(o, on)), t)
    price.label = "price"
    return price, dict(zip(["apple", "apple_num", "orange", "orange_num", "tax"], leaves))


price2, leaves2 = purchase(mul, add)
price2.backward()
layers = {"price": price2.data, **{name: v.grad for name, v in leaves2.items()}}
print({name: round(v, 10) for name, v in layers.items()})
assert layers == by_hand  # the very same floats as by hand

# %% [markdown] lang="en"
# The nodes carry the layer's name as their op:

# %% [markdown] lang="ko"
# 노드의 연산 이름은 계층 클래스의 이름입니다.

# %%
draw_dot(price2)

# %% [markdown] lang="en"
# ## Way 3: the engine's own ops
#
# Finally plain `*` and `+`, whose local derivatives live in the engine's op table.
#
# **Predict:** will the numbers be *equal* to the layers', or only close?
#
# <details><summary>Answer</summary>
#
# Equal, bit for bit. Both do the same float operations in the same order: `dout * self.y` in
# `MulLayer.backward` and the table's `g * y` are the same multiplication.
# </details>

# %% [markdown] lang="ko"
# ## 방법 3: 엔진 자신의 연산
#
# 마지막으로 평범한 `*`와 `+`입니다. 이들의 국소적 미분은 엔진의 연산 표에 있습니다.
#
# **예측:** 계층으로 구한 수와 *똑같을까요*, 아니면 가깝기만 할까요?
#
# <details><summary>답</summary>
#
# 비트 하나까지 똑같습니다. 둘 다 같은 부동소수점 연산을 같은 순서로 합니다. `MulLayer.backward`의
# `dout * self.y`와 연산 표의 `g * y`는 같은 곱셈입니다.
# </details>

# %%
price3, leaves3 = purchase(lambda x, y: x * y, lambda x, y: x + y)
price3.backward()
engine = {"price": price3.data, **{name: v.grad for name, v in leaves3.items()}}
print({name: round(v, 10) for name, v in engine.items()})
assert engine == by_hand == layers
assert all(math.isclose(engine[k], BOOK[k]) for k in BOOK)

# %% [markdown] lang="en"
# Three ways, one set of numbers. The book's lesson holds in the engine: a node needs to know only
# its local computation. What the engine adds is the bookkeeping of way 1: it records the graph as
# the code runs and calls every backward in a valid order (chapter 6 looks at that order).
#
# A layer has one weakness: its `backward` works on numbers only, so the engine cannot
# differentiate it again (`grad(..., create_graph=True)` refuses it and says to write the op with
# `defop`, chapter 11). The table's formulas have no such limit.

# %% [markdown] lang="ko"
# 세 가지 방법, 하나의 답입니다. 노드는 자기의 국소적 계산만 알면 된다는 책의 교훈이 엔진에서도
# 그대로 성립합니다. 엔진이 더해 주는 것은 방법 1의 장부 정리입니다. 코드가 실행될 때 그래프를 기록하고,
# 올바른 순서로 모든 backward를 부릅니다(그 순서는 6장에서 봅니다).
#
# 계층에는 약점이 하나 있습니다. `backward`가 수에만 동작하므로 엔진이 그것을 다시 미분할 수 없습니다
# (`grad(..., create_graph=True)`는 이를 거부하고 `defop`으로 연산을 쓰라고 알려 줍니다. 11장). 연산
# 표의 공식에는 그런 제한이 없습니다.

# %%
try:
    x = Value(3.0)
    autograd.grad(mul(x, x), x, create_graph=True)
    refused = False
except autograd.OpDefinitionError as error:
    refused = True
    print(str(error)[:90])
assert refused
