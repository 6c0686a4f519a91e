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
# # 13. What backpropagation really computes
#
# Twelve chapters built graphs of Values and walked them backward. Strip away the objects and
# what is left? For a fixed computation, backpropagation is a list of arithmetic statements: the
# forward pass line by line, then one line per gradient, each the chain rule with a formula
# from the op table. `autograd.compile` writes that list down as Python source, runs it on plain
# floats, and gives the engine's numbers bit for bit. This last chapter reads that source and
# measures what it buys.

# %% [markdown] lang="ko"
# # 13. 오차역전파법이 실제로 계산하는 것
#
# 열두 장에 걸쳐 Value로 계산 그래프를 만들고 그것을 거꾸로 따라갔습니다. 객체를 걷어 내면 무엇이
# 남을까요? 계산이 정해져 있다면 오차역전파법은 산술 문장의 목록입니다. 순전파를 한 줄씩, 그다음
# 기울기마다 한 줄씩, 각 줄은 연산 표의 공식으로 쓴 연쇄법칙입니다. `autograd.compile`은 그 목록을
# 파이썬 소스로 적어 내고, 평범한 float 위에서 실행하여 엔진과 비트 하나까지 같은 숫자를 냅니다. 마지막
# 장에서는 그 소스를 읽고, 그것이 주는 이득을 측정합니다.

# %% [markdown] lang="en"
# ## The neuron, compiled
#
# `compile(fn, *example_args)` calls `fn` once with Values standing for the arguments. That
# records the graph (this is called tracing). Then it writes the graph out. The example
# arguments fix the shapes (two weights, two inputs, a bias); the numbers can change at every
# call. Here is chapter 7's neuron.
#
# **Predict**: the backward part of the source has one line per gradient. What will the line
# for the tanh node say? (Chapter 11 showed the row.)

# %% [markdown] lang="ko"
# ## 컴파일한 뉴런
#
# `compile(fn, *example_args)`는 인수 자리에 Value를 넣어 `fn`을 한 번 호출합니다. 그러면 계산
# 그래프가 기록되고(이것을 트레이싱이라고 합니다), 그 그래프를 코드로 적어 냅니다. 예시 인수는 모양
# (가중치 두 개, 입력 두 개, 편향 하나)을 정할 뿐이고, 숫자는 호출할 때마다 바뀌어도 됩니다. 7장의
# 뉴런을 컴파일해 봅니다.
#
# **예측해 보세요**: 소스의 역전파 부분은 기울기마다 한 줄입니다. tanh 노드의 줄에는 무엇이
# 쓰여 있을까요? (11장에서 그 행을 보았습니다.)

# %%
import math
import random
import time

import autograd
from autograd import TraceError, Value
from autograd.nn import MLP, hinge, l2
from autograd.viz import draw_dot


def neuron(w, x, b):
    return sum((wi * xi for wi, xi in zip(w, x)), b).tanh()


f = autograd.compile(neuron, [0.5, -1.0], [1.0, 2.0], 0.1, inline=False)
print(f.source)
assert "= g_t4 * (1 - t4 * t4)" in f.source  # the tanh row's formula, g * (1 - out * out)

# %% [markdown] lang="en"
# Read it top to bottom. The forward pass is five statements, one per node (`inline=False` gives
# every node a line, like the diagram below). The backward pass starts with `g_t4 = 1.0`,
# ∂o/∂o, and each following line is one share of the chain rule: `g_t3 = g_t4 * (1 - t4 * t4)`
# is tanh's local derivative times the upstream gradient; `g_t1 = g_t3` is an add node passing
# it on; `g_w_0 = g_t0 * x_0` is a multiply node's swap. No graph, no objects, no loops: this is
# all that backpropagation computes. The last lines check that every number is finite, and
# otherwise hand the call to the engine, which raises its usual error naming the op and the line.
#
# The graph it came from:

# %% [markdown] lang="ko"
# 위에서 아래로 읽어 보세요. 순전파는 노드마다 하나씩 다섯 문장입니다(`inline=False`는 아래 그림처럼
# 노드마다 줄을 하나씩 줍니다). 역전파는 ∂o/∂o인 `g_t4 = 1.0`으로 시작하고, 이어지는 각 줄은
# 연쇄법칙의 몫 하나입니다. `g_t3 = g_t4 * (1 - t4 * t4)`는 tanh의 국소적 미분에 상류의 기울기를 곱한
# 것이고, `g_t1 = g_t3`는 덧셈 노드가 기울기를 그대로 전하는 것이며, `g_w_0 = g_t0 * x_0`는 곱셈
# 노드의 "바꿔 곱하기"입니다. 그래프도, 객체도, 반복문도 없습니다. 오차역전파법이 계산하는 것은 이것이
# 전부입니다. 마지막 줄들은 모든 숫자가 유한한지 확인하고, 그렇지 않으면 호출을 엔진에 넘겨, 엔진이
# 연산과 코드 줄을 밝히는 평소의 오류를 내게 합니다.
#
# 이 코드가 나온 계산 그래프는 다음과 같습니다.

# %%
w = [Value(-3.0, label="w_0"), Value(1.0, label="w_1")]
xs = [Value(2.0, label="x_0"), Value(0.0, label="x_1")]
b = Value(6.8813735870195432, label="b")
o = neuron(w, xs, b)
o.backward()
draw_dot(o)

# %% [markdown] lang="en"
# Now call the compiled function with the lecture's numbers. It returns the value and the
# gradients shaped like the arguments, and they are the engine's, exactly (`==`, not a
# tolerance): the generated code does the same float operations in the same order.

# %% [markdown] lang="ko"
# 이제 강의의 숫자로 컴파일된 함수를 호출해 봅니다. 값과, 인수와 같은 모양의 기울기를 돌려주며, 그
# 값들은 엔진의 것과 정확히(허용 오차가 아니라 `==`로) 같습니다. 생성된 코드가 같은 float 연산을 같은
# 순서로 하기 때문입니다.

# %%
value, (dw, dx, db) = f([-3.0, 1.0], [2.0, 0.0], 6.8813735870195432)
print(value, dw, dx, db)
assert value == o.data and dw == [v.grad for v in w] and dx == [v.grad for v in xs] and db == b.grad
lecture = [1.0, 0.0, -1.5, 0.5, 0.5]  # chapter 7: w1, w2, x1, x2, b
for mine, known in zip([*dw, *dx, db], lecture):
    assert math.isclose(mine, known, rel_tol=1e-14, abs_tol=1e-15)
assert math.isclose(value, 1 / math.sqrt(2), rel_tol=1e-15)

# %% [markdown] lang="en"
# Without `inline=False`, a value used only once is written into the expression that uses it,
# as one would by hand; the numbers do not change:

# %% [markdown] lang="ko"
# `inline=False`가 없으면 한 번만 쓰이는 값은 그것을 쓰는 식 안에 바로 적힙니다. 손으로 쓸 때처럼요.
# 숫자는 바뀌지 않습니다.

# %%
g = autograd.compile(neuron, [0.5, -1.0], [1.0, 2.0], 0.1)
forward_lines = [line.strip() for line in g.source.split("# forward")[1].split("# backward")[0].strip().splitlines()]
print("\n".join(forward_lines))
assert len(forward_lines) == 2 and g([-3.0, 1.0], [2.0, 0.0], 6.8813735870195432) == (value, (dw, dx, db))

# %% [markdown] lang="en"
# ## What tracing cannot see
#
# Tracing records operations on Values, once. Python that *decides* something from a number
# (`if x.data > 0:`) would be frozen to the branch taken while tracing, and silently wrong
# later. `compile` refuses it with `autograd.TraceError`, naming the line. Write such a choice
# as an op (`x.relu()`, `x.max(y)`), which the trace records.

# %% [markdown] lang="ko"
# ## 트레이싱이 볼 수 없는 것
#
# 트레이싱은 Value 위의 연산을 한 번 기록합니다. 숫자를 보고 무언가를 *결정하는* 파이썬 코드
# (`if x.data > 0:`)는 트레이싱할 때 택한 갈래로 굳어져서 나중에 조용히 틀린 답을 냅니다. `compile`은
# 이것을 `autograd.TraceError`로 거부하고 그 줄을 알려 줍니다. 그런 선택은 트레이싱이 기록할 수 있는
# 연산(`x.relu()`, `x.max(y)`)으로 쓰세요.

# %%
refused = None
try:
    autograd.compile(lambda a: a * (2 if a.data > 0 else 3), 1.0)
except TraceError as error:
    refused = error
print(refused)
assert refused is not None and ".data" in str(refused)

# %% [markdown] lang="en"
# ## A training step, compiled, and the speed table
#
# Chapter 9's step, for `MLP(2, [8, 8, 1])` on 60 two-moons points: the hinge loss of every
# point plus L2, and every parameter's gradient. Eagerly, each step builds a graph of about
# twelve thousand Values and walks it back, paying Python's price per node twice. Compiled, the
# graph is built once; each call then runs the straight-line arithmetic. With `params=model`
# the compiled step reads the parameters' current `.data` at every call and adds the gradients
# into their `.grad`, as `backward()` does, so an optimizer works unchanged; `wrt=()` says the
# data needs no gradient.

# %% [markdown] lang="ko"
# ## 컴파일한 학습 단계, 그리고 속도 표
#
# 9장의 학습 단계입니다. 두 개의 달 60점 위의 `MLP(2, [8, 8, 1])`에 대해 모든 점의 힌지 손실에 L2를
# 더한 값과 모든 매개변수의 기울기를 구합니다. 즉시 실행(eager)에서는 단계마다 Value 약 만 이천 개의
# 계산 그래프를 만들고 거꾸로 따라가므로, 노드마다 파이썬의 비용을 두 번 치릅니다. 컴파일하면 그래프는
# 한 번만 만들고, 그 뒤로는 호출마다 일직선의 산술을 실행합니다. `params=model`을 주면 컴파일된 단계가
# 호출 때마다 매개변수의 현재 `.data`를 읽고, `backward()`처럼 기울기를 `.grad`에 더하므로 옵티마이저를
# 그대로 쓸 수 있습니다. `wrt=()`는 데이터에 대한 기울기는 필요 없다는 뜻입니다.


# %%
def two_moons(n, noise=0.1, seed=0):  # chapter 9's data
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:
            X.append([math.cos(t) + rng.gauss(0, noise), math.sin(t) + rng.gauss(0, noise)])
            y.append(1.0)
        else:
            X.append([1 - math.cos(t) + rng.gauss(0, noise), 0.5 - math.sin(t) + rng.gauss(0, noise)])
            y.append(-1.0)
    return X, y


X, y = two_moons(60)
model = MLP(2, [8, 8, 1], seed=1)


def loss_fn(X, Y):
    return hinge([model(x) for x in X], Y) + l2(model.parameters(), 1e-4)


start = time.perf_counter()
step = autograd.compile(loss_fn, X, y, params=model, wrt=())
compile_seconds = time.perf_counter() - start

model.zero_grad()
compiled_loss, _ = step(X, y)
compiled_grads = [p.grad for p in model.parameters()]
model.zero_grad()
eager_loss = loss_fn(X, y)
eager_loss.backward()
eager_grads = [p.grad for p in model.parameters()]
print(compiled_loss, eager_loss.data)
assert compiled_loss == eager_loss.data and compiled_grads == eager_grads  # bit for bit, all 105

# %% [markdown] lang="en"
# The same loss and the same 105 gradients, to the last bit. Now time both (the best of a few
# runs, which is the least disturbed by whatever else the machine is doing), and, if it is
# installed, PyTorch running the same network as tensors, the whole batch at once
# (`model.to_torch()`, chapter 9).
#
# **Predict**: how much faster is the compiled step than the eager one: 2×, 10×, 100×?

# %% [markdown] lang="ko"
# 같은 손실과 같은 105개의 기울기가 마지막 비트까지 나옵니다. 이제 둘의 시간을 재 봅니다(몇 번 실행한
# 것 중 가장 빠른 값으로, 기계가 하는 다른 일의 영향을 가장 덜 받습니다). PyTorch가 설치되어 있다면,
# 같은 신경망을 텐서로 배치 전체를 한 번에 계산하는 PyTorch도 함께 잽니다(`model.to_torch()`, 9장).
#
# **예측해 보세요**: 컴파일한 단계는 즉시 실행보다 얼마나 빠를까요? 2배, 10배, 100배?


# %%
def best_of(fn, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def eager_step():
    model.zero_grad()
    loss_fn(X, y).backward()


def compiled_step():
    model.zero_grad()
    step(X, y)


rows = [
    ("eager: build the graph, backward", best_of(eager_step)),
    ("compiled: straight-line floats", best_of(compiled_step)),
]

try:
    import torch
except ImportError:
    torch = None
if torch is None:
    print("note: PyTorch is not installed; its row is skipped")
else:
    net = model.to_torch()
    inputs, labels = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)

    def torch_step():
        net.zero_grad()
        out = net(inputs).squeeze(1)
        loss = torch.relu(1 - labels * out).mean() + 1e-4 * sum((p * p).sum() for p in net.parameters())
        loss.backward()
        return loss

    assert math.isclose(torch_step().item(), eager_loss.data, rel_tol=1e-12)  # the same step
    rows.append(("PyTorch: tensors, the whole batch", best_of(torch_step)))

eager_time, compiled_time = rows[0][1], rows[1][1]
print(f"{'one training step (60 points, 105 parameters)':<48}{'time':>10}")
for name, seconds in rows:
    print(f"{name:<48}{1000 * seconds:>8.2f} ms")
print(f"{'compiling, once':<48}{1000 * compile_seconds:>8.0f} ms")
print(
    f"compiled / eager: {eager_time / compiled_time:.0f}x faster; compiling pays for itself after "
    f"{math.ceil(compile_seconds / (eager_time - compiled_time))} steps"
)
assert compiled_time * 3 < eager_time  # a safe bound: on the development machine the factor is about 30

# %% [markdown] lang="en"
# On the machine that built this page the compiled step is some tens of times faster than the
# eager one, and compiling costs about as much as ten or twenty eager steps, so any training run longer
# than that gains (your numbers will differ; the assert above only checks a safe factor of 3).
# PyTorch's tensors are faster still at this size, because they do each layer for all 60 points
# in one call into C; on scalars, one operation at a time, PyTorch's per-operation overhead
# makes it slower than this engine (the README's benchmark measures that).
#
# Where does the eager time go? Into bookkeeping: creating twelve thousand Python objects per
# step, recording each one's inputs, sorting them into backward's order, calling one small
# function per node, and freeing it all. The compiled code does only the arithmetic in the
# source above, and nothing else. That difference, objects against arithmetic, is the whole
# difference between an engine that teaches and code that runs fast; the numbers are the same.

# %% [markdown] lang="ko"
# 이 페이지를 만든 기계에서 컴파일한 단계는 즉시 실행보다 수십 배 빠르고, 컴파일 비용은 즉시 실행
# 열 단계 정도이므로, 그보다 긴 학습이라면 어떤 것이든 이득입니다(여러분의 숫자는 다를 것입니다. 위의
# assert는 안전한 3배만 확인합니다). 이 크기에서는 PyTorch의 텐서가 더 빠른데, 각 계층을 60개 점
# 모두에 대해 C 함수 한 번 호출로 계산하기 때문입니다. 스칼라로 연산을 하나씩 하면, 연산마다 드는
# PyTorch의 비용 때문에 이 엔진보다 느려집니다(README의 벤치마크가 그것을 측정합니다).
#
# 즉시 실행의 시간은 어디에 쓰일까요? 장부 정리입니다. 단계마다 파이썬 객체 만 이천 개를 만들고, 각
# 객체의 입력을 기록하고, 역전파 순서로 정렬하고, 노드마다 작은 함수를 하나씩 부르고, 그 모두를
# 해제합니다. 컴파일한 코드는 위 소스에 있는 산술만 하고 다른 일은 하지 않습니다. 객체 대 산술, 이
# 차이가 가르치기 위한 엔진과 빠르게 도는 코드 사이의 차이의 전부이며, 숫자는 같습니다.

# %% [markdown] lang="en"
# ## The whole path
#
# From nudging a number (chapter 1) to this page: a derivative is a local rate of change; a
# computational graph splits a computation into nodes that each know only their local
# derivative; the chain rule, applied backward in topological order, multiplies and adds those
# local derivatives into every gradient at the cost of about one more forward pass; layers, ops,
# even your own, are just rows of local calculus; the gradients train networks, can be checked by
# nudging, can be differentiated again; and in the end, for a fixed computation, all of it is the
# straight list of arithmetic printed above. That is backpropagation: 오차역전파법.

# %% [markdown] lang="ko"
# ## 지나온 길
#
# 숫자를 조금 움직여 보는 것(1장)에서 이 페이지까지: 미분은 국소적인 변화율입니다. 계산 그래프는
# 계산을 노드로 나누고, 각 노드는 자신의 국소적 미분만 압니다. 연쇄법칙을 위상 정렬의 역순으로 적용하면
# 그 국소적 미분들을 곱하고 더해, 순전파 한 번 정도의 비용으로 모든 기울기를 얻습니다. 계층도, 연산도,
# 여러분이 직접 만든 것도 모두 국소적 미분의 한 행일 뿐입니다. 기울기는 신경망을 학습시키고, 수치
# 미분으로 확인할 수 있으며, 다시 미분할 수도 있습니다. 그리고 결국 계산이 정해져 있다면, 이 모든 것은
# 위에 출력한 일직선의 산술 목록입니다. 이것이 오차역전파법(backpropagation)입니다.
