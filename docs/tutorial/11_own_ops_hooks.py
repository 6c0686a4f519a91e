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
# # 11. Your own op, and hooks
#
# The book's layers each know two things, their forward and their local backward, and nothing
# about the rest of the network. The engine is built the same way: every primitive is one row
# of a table, `autograd/ops.py`, holding its forward and one gradient formula per input. This
# chapter adds a row of your own with `autograd.defop`, watches the engine check it (and refuse
# a wrong one, such as the MulLayer that forgets to swap), and then looks at hooks: a way to see,
# and change, the gradient arriving at any node during backward.

# %% [markdown] lang="ko"
# # 11. 나만의 연산, 그리고 훅
#
# 책의 계층은 저마다 두 가지, 순전파와 국소적인 역전파만 알고, 신경망의 나머지에 대해서는 아무것도
# 모릅니다. 엔진도 같은 방식으로 만들어져 있습니다. 모든 기본 연산은 `autograd/ops.py`라는 표의 한
# 행이며, 그 행에는 순전파와 입력마다 하나씩의 기울기 공식이 들어 있습니다. 이번 장에서는
# `autograd.defop`으로 나만의 행을 추가하고, 엔진이 그것을 검사하는 모습(그리고 x와 y를 바꾸는 것을
# 잊은 MulLayer 같은 틀린 규칙을 거부하는 모습)을 봅니다. 이어서 훅을 살펴봅니다. 훅은 역전파 도중
# 어떤 노드에 도착하는 기울기든 들여다보고 바꿀 수 있게 해 줍니다.

# %% [markdown] lang="en"
# ## A row of the table
#
# A formula has the shape `(g, *inputs, out)`: `g` is the gradient arriving from upstream, and the
# formula returns the share for its input, `g` times the local derivative. Here is the row of
# `tanh` as the engine runs it: the step function it generates from the formula
# `g * (1 - out * out)`, the same formula chapter 7 used by hand.

# %% [markdown] lang="ko"
# ## 표의 한 행
#
# 공식은 `(g, *inputs, out)` 모양입니다. `g`는 상류에서 도착한 기울기이고, 공식은 자기 입력의 몫,
# 즉 `g`에 국소적 미분을 곱한 값을 돌려줍니다. 다음은 엔진이 실제로 실행하는 `tanh`의 행입니다.
# 공식 `g * (1 - out * out)`에서 생성한 단계 함수이며, 7장에서 손으로 쓴 바로 그 공식입니다.

# %%
import math

import autograd
from autograd import OpDefinitionError, Value
from autograd.ops import sigmoid
from autograd.steps import step_source
from autograd.viz import draw_dot

source = step_source("tanh")
print(source)
assert "share = g * (1 - out * out)" in source

# %% [markdown] lang="en"
# ## softplus, as a new op
#
# softplus(x) = log(1 + eˣ) is a smooth ReLU: close to 0 for very negative x, close to x for
# large x. Its derivative is the sigmoid, σ(x) = 1 / (1 + e⁻ˣ). As a row:
#
# - the forward on floats, written so that `exp` never overflows: max(x, 0) + log(1 + e^(−|x|));
# - one formula, `g * sigmoid(x)`. It uses the helper `sigmoid` from `autograd.ops`, which is
#   `math`'s on a float and the engine's op on a Value, so the same line serves backward on
#   floats and gradients of gradients on Values.

# %% [markdown] lang="ko"
# ## 새로운 연산 softplus
#
# softplus(x) = log(1 + eˣ)는 매끄러운 ReLU입니다. x가 아주 작으면 0에 가깝고, 크면 x에 가깝습니다.
# 그 미분은 시그모이드 σ(x) = 1 / (1 + e⁻ˣ)입니다. 표의 한 행으로 쓰면 다음과 같습니다.
#
# - float에 대한 순전파. `exp`가 넘치지 않도록 max(x, 0) + log(1 + e^(−|x|))로 씁니다.
# - 공식 하나, `g * sigmoid(x)`. `autograd.ops`의 도우미 `sigmoid`를 쓰는데, 이것은 float에서는
#   `math`로, Value에서는 엔진의 연산으로 계산하므로, 같은 한 줄이 float 위의 역전파와 Value 위의
#   "기울기의 기울기" 양쪽에 쓰입니다.

# %%
softplus = autograd.defop(
    "softplus",
    lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
    lambda g, x, out: g * sigmoid(x),
)

# %% [markdown] lang="en"
# `defop` did not just store the row. Before returning, it checked the formula at a sweep of
# points (±0.001, ±0.5, ±1, ±3, ±10) against central differences of the forward: the book's
# gradient check, run for you at definition time. It also ran the formula on Values and
# differentiated it again, checking the second derivative the same way.
#
# **Predict**: softplus(0) and its gradient at 0? And the second derivative at 0?
#
# <details><summary>The answer</summary>
#
# softplus(0) = log 2 ≈ 0.6931. The gradient is σ(0) = 1/2. The second derivative is
# σ'(0) = σ(0)(1 − σ(0)) = 1/4: the sigmoid layer's backward of chapter 5, `out * (1 - out)`.
# </details>

# %% [markdown] lang="ko"
# `defop`은 행을 저장하기만 한 것이 아닙니다. 돌려주기 전에 여러 점(±0.001, ±0.5, ±1, ±3, ±10)에서
# 공식을 순전파의 중앙 차분과 비교했습니다. 책의 기울기 확인을 정의하는 순간 대신 해 준 것입니다.
# 또 공식을 Value 위에서 실행하고 다시 미분하여, 2차 미분도 같은 방법으로 확인했습니다.
#
# **예측해 보세요**: softplus(0)과 0에서의 기울기는? 0에서의 2차 미분은?
#
# <details><summary>답</summary>
#
# softplus(0) = log 2 ≈ 0.6931입니다. 기울기는 σ(0) = 1/2입니다. 2차 미분은
# σ'(0) = σ(0)(1 − σ(0)) = 1/4로, 5장의 Sigmoid 계층의 역전파 `out * (1 - out)`입니다.
# </details>

# %%
x = Value(0.0, label="x")
y = softplus(x)
y.backward()
(slope,) = autograd.grad(softplus(x), [x], create_graph=True)  # a Value with a graph
(curvature,) = autograd.grad(slope, [x])
print(y.data, x.grad, curvature)
assert y.data == math.log(2) and x.grad == 0.5 and curvature == 0.25

# %% [markdown] lang="en"
# The new op is a first-class citizen: it appears by name in the diagram, `gradcheck` approves
# it, and `trace_backward` shows its formula, just like a built-in op.

# %% [markdown] lang="ko"
# 새 연산은 내장 연산과 똑같이 대접받습니다. 그림에 이름으로 나타나고, `gradcheck`를 통과하며,
# `trace_backward`는 내장 연산처럼 그 공식을 보여 줍니다.

# %%
w = Value(-2.0, label="w")
inp = Value(1.5, label="x")
o = softplus(w * inp + 1.0)
o.label = "o"
o.backward()
print(w.grad, inp.grad)
s = 1 / (1 + math.exp(-(-2.0 * 1.5 + 1.0)))  # sigmoid at the pre-activation, by hand
assert math.isclose(w.grad, s * 1.5, rel_tol=1e-15) and math.isclose(inp.grad, s * -2.0, rel_tol=1e-15)
assert autograd.gradcheck(lambda a, b: softplus(a * b + 1.0), [-2.0, 1.5]) is True
assert autograd.trace_backward(o)[0].shares[0].formula == "g * sigmoid(x)"
draw_dot(o)

# %% [markdown] lang="en"
# ## A wrong rule is refused
#
# The book warns about `MulLayer`'s backward: the gradient for x is `dout * y`, for y it is
# `dout * x`; the inputs swap. Forget the swap and define "times" with the gradients the wrong
# way round. **Predict** what `defop` says.

# %% [markdown] lang="ko"
# ## 틀린 규칙은 거부된다
#
# 책은 `MulLayer`의 역전파에서 주의할 점을 짚습니다. x에 대한 기울기는 `dout * y`, y에 대한 기울기는
# `dout * x`로, 입력이 서로 바뀝니다. 이 바꾸기를 잊고 기울기를 거꾸로 쓴 "times"를 정의해 봅시다.
# `defop`이 뭐라고 할지 **예측해 보세요**.

# %%
refused = None
try:
    autograd.defop("times", lambda x, y: x * y, lambda g, x, y, out: g * x, lambda g, x, y, out: g * y)
except OpDefinitionError as error:
    refused = error
print(refused)
assert refused is not None and "times" in str(refused) and "input 0" in str(refused)
# the wrong formula for x returns g * x = x; central differences of x * y in x give y
assert "x = -10.0, y = -3.0" in str(refused) and "the formula gives -10.0" in str(refused)

# %% [markdown] lang="en"
# It names the op, the input, the point, and both numbers: at x = −10, y = −3 the formula says
# ∂(xy)/∂x = −10 while the forward, nudged, says −3 (which is y). The mistake is found when
# the op is defined, not three days later as a network that will not learn. The right rule
# passes, and agrees with the built-in `*`:

# %% [markdown] lang="ko"
# 연산, 입력, 점, 그리고 두 숫자를 알려 줍니다. x = −10, y = −3에서 공식은 ∂(xy)/∂x = −10이라고
# 하지만, 순전파를 조금 움직여 보면 −3(즉 y)입니다. 실수가 사흘 뒤 학습이 안 되는 신경망으로서가
# 아니라 연산을 정의하는 순간에 드러납니다. 올바른 규칙은 통과하고, 내장 `*`와 같은 답을 냅니다.

# %%
times = autograd.defop("times", lambda x, y: x * y, lambda g, x, y, out: g * y, lambda g, x, y, out: g * x)
apple, count, tax = Value(100.0), Value(2.0), Value(1.1)
price = times(times(apple, count), tax)
price.backward()
print(price.data, apple.grad, count.grad, tax.grad)
assert math.isclose(price.data, 220.0) and math.isclose(apple.grad, 2.2) and math.isclose(count.grad, 110.0)
assert tax.grad == 200.0  # the book's numbers, chapter 2

# %% [markdown] lang="en"
# Two more refusals worth knowing: a name that is already an op, and a formula that reads a
# Value's number (`math.sin(x)` or `x.data`), which would work on floats but break gradients
# of gradients. The message says which helper to use instead.

# %% [markdown] lang="ko"
# 알아 둘 만한 거부가 두 가지 더 있습니다. 이미 있는 연산의 이름, 그리고 Value의 숫자를 읽는
# 공식(`math.sin(x)`이나 `x.data`)입니다. 후자는 float에서는 동작하지만 기울기의 기울기를 망가뜨립니다.
# 메시지가 대신 쓸 도우미 함수를 알려 줍니다.

# %%
messages = []
for args in [
    ("softplus", math.exp, lambda g, x, out: g * out),
    ("my_cos", math.cos, lambda g, x, out: -g * math.sin(x)),
]:
    try:
        autograd.defop(*args)
    except OpDefinitionError as error:
        messages.append(str(error))
for message in messages:
    print(message[:100])
assert len(messages) == 2 and "already an op" in messages[0] and "helpers of autograd.ops" in messages[1]

# %% [markdown] lang="en"
# (A note for notebooks: the table is global, so running the `defop` cell twice in one kernel
# refuses the name the second time. Restart the kernel, or pick a new name.)
#
# Chapter 4 showed the other door in: `autograd.from_layer(MulLayer)` turns a class written the
# book's way (forward and backward methods) into an op, checked at its first call. It has first
# derivatives only; `defop`, whose formulas run on Values, has every order.

# %% [markdown] lang="ko"
# (노트북에서 주의할 점: 표는 전역이므로 한 커널에서 `defop` 셀을 두 번 실행하면 두 번째에는 이름이
# 거부됩니다. 커널을 재시작하거나 새 이름을 고르세요.)
#
# 4장에서는 다른 입구를 보았습니다. `autograd.from_layer(MulLayer)`는 책의 방식(forward와 backward
# 메서드)으로 쓴 클래스를 연산으로 바꾸고, 처음 호출될 때 검사합니다. 1차 미분만 가능합니다. 공식이
# Value 위에서도 실행되는 `defop`은 몇 차 미분이든 가능합니다.

# %% [markdown] lang="en"
# ## Hooks: seeing the gradient arrive
#
# `v.register_hook(fn)` asks backward to call `fn(grad)` when `v`'s gradient is complete, just
# before it is passed on to `v`'s inputs. Take chapter 6's reused node, y = x·x + x at x = 3:
# the gradient of x arrives along three paths, 1 (the `+`), 3 and 3 (the two sides of the
# product).
#
# **Predict**: how many times is a hook on x called, and with what?

# %% [markdown] lang="ko"
# ## 훅: 기울기가 도착하는 순간 보기
#
# `v.register_hook(fn)`은 역전파에게 `v`의 기울기가 완성되었을 때, 그것이 `v`의 입력으로 전해지기
# 직전에 `fn(grad)`를 불러 달라고 부탁합니다. 6장의 재사용 노드 y = x·x + x를 x = 3에서 보면, x의
# 기울기는 세 경로로 도착합니다: 1(`+`에서), 그리고 3과 3(곱셈의 양쪽에서).
#
# **예측해 보세요**: x에 건 훅은 몇 번, 어떤 값으로 불릴까요?

# %%
x = Value(3.0, label="x")
y = x * x + x
seen = []
handle = x.register_hook(seen.append)  # append returns None: the gradient is left as it is
y.backward()
print(seen, x.grad)
assert seen == [2 * 3.0 + 1] and x.grad == 7.0  # once, with the complete dy/dx = 2x + 1

# %% [markdown] lang="en"
# Once, with 7: the sum over all paths, never the pieces. A hook sees what the chain rule has
# finished. That makes hooks the tool for looking inside backward, for example to watch the
# size of the gradient at each layer of a deep network (vanishing gradients), without changing
# anything.
#
# A hook may also return a number, which replaces the gradient. Gradient clipping at one node:
# below, the gradient arriving at b is clipped to at most 1 in size, and the node below it, a,
# receives the clipped value times b's local derivative.

# %% [markdown] lang="ko"
# 한 번, 7로 불립니다. 모든 경로의 합이지, 조각들이 아닙니다. 훅은 연쇄법칙이 다 끝낸 값을 봅니다.
# 그래서 훅은 역전파 안을 들여다보는 도구가 됩니다. 예를 들어 깊은 신경망의 계층마다 기울기의 크기를
# 지켜볼 수 있습니다(기울기 소실). 아무것도 바꾸지 않고요.
#
# 훅이 숫자를 돌려주면 그 값이 기울기를 대신합니다. 한 노드에서의 기울기 클리핑입니다. 아래에서 b에
# 도착한 기울기는 크기가 1 이하로 잘리고, 그 아래의 노드 a는 잘린 값에 b의 국소적 미분을 곱한 값을
# 받습니다.

# %%
a = Value(2.0, label="a")
b = a * 10
loss = b * b  # d loss / d b = 2b = 40, so without the hook a.grad = 40 * 10 = 400
clip = b.register_hook(lambda g: max(-1.0, min(1.0, g)))
loss.backward()
print(b.grad, a.grad)
assert b.grad == 1.0 and a.grad == 1.0 * 10

clip.remove()
a.grad = 0.0
loss.backward()
print(a.grad)
assert a.grad == 2 * 20.0 * 10  # the hook is gone: the full gradient, 400

# %% [markdown] lang="en"
# A hook belongs to one node and stays until removed (`h.remove()`), so it runs in every later
# pass that reaches it. Hooks run in the order they were registered. Under
# `grad(..., create_graph=True)`, the hook receives the gradient as a Value, so what it does can be
# differentiated too.
#
# **Summary.** An op is a row: a forward and one formula `(g, *inputs, out)` per input. `defop`
# adds one and checks it against central differences (first and second order) before you can
# use it, naming the input, the point and both numbers when it is wrong. `register_hook` sees a
# node's complete gradient in every pass and may replace it.

# %% [markdown] lang="ko"
# 훅은 노드 하나에 속하며 제거할 때까지(`h.remove()`) 남아 있으므로, 그 노드에 닿는 이후의 모든
# 역전파에서 실행됩니다. 훅은 등록한 순서대로 실행됩니다. `grad(..., create_graph=True)`에서는 훅이
# 기울기를 Value로 받으므로, 훅이 하는 일도 다시 미분할 수 있습니다.
#
# **정리.** 연산은 표의 한 행입니다: 순전파 하나와 입력마다 공식 `(g, *inputs, out)` 하나. `defop`은
# 행을 추가하고, 쓰기 전에 중앙 차분과 비교해(1차와 2차) 검사하며, 틀리면 입력, 점, 두 숫자를
# 알려 줍니다. `register_hook`은 매 역전파에서 노드의 완성된 기울기를 보고, 그것을 바꿀 수도 있습니다.
