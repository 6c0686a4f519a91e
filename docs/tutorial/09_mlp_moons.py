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
# # 9. A network that learns: an MLP on two moons
#
# Everything so far computed gradients. This chapter uses them: a multilayer perceptron learns
# to separate two interleaved half-moons of points, with the training loop of micrograd's demo
# (forward, loss, zero the gradients, backward, update). Then the same network, weights and
# all, goes to PyTorch with `model.to_torch()`, and gives the same numbers.

# %% [markdown] lang="ko"
# # 9. 학습하는 신경망: 두 개의 달(two moons) 위의 MLP
#
# 지금까지는 기울기를 계산하기만 했습니다. 이번 장에서는 그것을 씁니다. 다층 퍼셉트론(MLP)이 서로
# 맞물린 반달 모양의 두 점 무리를 구분하도록 학습합니다. 학습 루프는 micrograd 데모와 같습니다:
# 순전파, 손실, 기울기 초기화, 역전파, 갱신. 그다음 가중치까지 똑같은 신경망을 `model.to_torch()`로
# PyTorch에 옮겨, 같은 숫자가 나오는지 확인합니다.

# %% [markdown] lang="en"
# ## The data
#
# Two moons: points on an upper half circle (label +1) and on a lower one shifted right and
# down (label -1), with a little Gaussian noise. No straight line separates them, so a
# single neuron cannot; a network with hidden layers can bend its boundary. A dozen lines make
# the data, seeded, so every run is the same.

# %% [markdown] lang="ko"
# ## 데이터
#
# 두 개의 달입니다. 위쪽 반원 위의 점들(레이블 +1)과 오른쪽 아래로 옮긴 아래쪽 반원 위의 점들
# (레이블 -1)에 가우스 잡음을 조금 섞었습니다. 직선 하나로는 둘을 가를 수 없으므로 뉴런 하나로는
# 안 되지만, 은닉층이 있는 신경망은 경계를 구부릴 수 있습니다. 데이터는 시드를 고정한 열 줄 남짓의
# 코드로 만들므로 매번 똑같습니다.

# %%
import math
import random

from autograd import Value, no_grad
from autograd.nn import MLP, SGD, LinearLR, hinge, l2
from autograd.viz import draw_dot


def two_moons(n, noise=0.1, seed=0):
    rng = random.Random(seed)
    X, y = [], []
    for i in range(n):
        t = math.pi * rng.random()
        if i % 2 == 0:  # upper moon
            X.append([math.cos(t) + rng.gauss(0, noise), math.sin(t) + rng.gauss(0, noise)])
            y.append(1.0)
        else:  # lower moon
            X.append([1 - math.cos(t) + rng.gauss(0, noise), 0.5 - math.sin(t) + rng.gauss(0, noise)])
            y.append(-1.0)
    return X, y


X, y = two_moons(60)
print(len(X), sum(1 for label in y if label > 0))
assert len(X) == 60 and y.count(1.0) == y.count(-1.0) == 30

# %% [markdown] lang="en"
# ## The model
#
# `MLP(2, [8, 8, 1])`: two inputs, two hidden layers of 8 ReLU neurons, one linear output
# neuron whose sign is the prediction. Every neuron has one weight per input and one bias.
#
# **Predict**: how many parameters does it have? Count before running the next cell.
#
# <details><summary>The count</summary>
#
# Layer 0: 8 neurons × (2 weights + 1 bias) = 24. Layer 1: 8 × (8 + 1) = 72. Layer 2:
# 1 × (8 + 1) = 9. In all 105. (micrograd's demo uses `[16, 16, 1]`: 48 + 272 + 17 = 337.)
# </details>

# %% [markdown] lang="ko"
# ## 모델
#
# `MLP(2, [8, 8, 1])`: 입력 2개, ReLU 뉴런 8개짜리 은닉층 2개, 그리고 부호가 곧 예측인 선형 출력 뉴런
# 하나입니다. 뉴런마다 입력당 가중치 하나와 편향 하나가 있습니다.
#
# **예측해 보세요**: 매개변수는 모두 몇 개일까요? 다음 셀을 실행하기 전에 세어 보세요.
#
# <details><summary>세는 법</summary>
#
# 0층: 뉴런 8개 × (가중치 2 + 편향 1) = 24. 1층: 8 × (8 + 1) = 72. 2층: 1 × (8 + 1) = 9.
# 합계 105개입니다. (micrograd 데모는 `[16, 16, 1]`을 써서 48 + 272 + 17 = 337개입니다.)
# </details>

# %%
model = MLP(2, [8, 8, 1], seed=1)
print(model.num_parameters())
assert model.num_parameters() == len(model.parameters()) == 8 * 3 + 8 * 9 + 1 * 9 == 105
print(model.named_parameters()[0][0])
assert model.named_parameters()[0][0] == "layers.0.neurons.0.w.0"

# %% [markdown] lang="en"
# Drawn with `draw_dot(model)`, each layer folds into one box (the graph of one example already
# has hundreds of nodes):

# %% [markdown] lang="ko"
# `draw_dot(model)`로 그리면 계층마다 상자 하나로 접혀 보입니다(예제 하나의 계산 그래프만 해도 노드가
# 수백 개입니다).

# %%
draw_dot(model)

# %% [markdown] lang="en"
# ## The loss
#
# The output is a score s; the label y is ±1. micrograd's demo uses the max-margin
# (hinge) loss max(0, 1 − y s), averaged over the points: zero once a point is on the right
# side with a margin of at least 1, growing linearly the more wrong it is. A little L2
# regularisation, α Σ p² with α = 10⁻⁴, keeps the weights small. Before
# training, a pencil value to check the loss against: if every score were 0, each point would
# contribute exactly max(0, 1 − 0) = 1.

# %% [markdown] lang="ko"
# ## 손실 함수
#
# 출력은 점수 s이고 레이블 y는 ±1입니다. micrograd 데모는 최대 마진(힌지) 손실
# max(0, 1 − y s)를 점들에 대해 평균 내어 씁니다. 점이 마진 1 이상으로 올바른 쪽에 있으면 0이고,
# 틀릴수록 선형으로 커집니다. 여기에 작은 L2 정규화 α Σ p²(α = 10⁻⁴)를 더해
# 가중치를 작게 유지합니다. 학습 전에 손으로 확인할 값 하나: 모든 점수가 0이라면 점마다 정확히
# max(0, 1 − 0) = 1씩 기여합니다.

# %%
zero_scores = hinge([Value(0.0) for _ in X], y)
print(zero_scores.data)
assert zero_scores.data == 1.0

# %% [markdown] lang="en"
# ## Training
#
# The loop is the whole of deep learning in five lines: scores for every point (forward), the
# loss, `zero_grad()` (gradients accumulate, chapter 6), `backward()`, and the optimizer's
# step p ← p − lr · ∂L/∂p. The learning rate falls
# linearly from 1.0 to 0.1, as in micrograd's demo (`LinearLR`). Full batch, 60 steps.
# One more line, `live.record(...)`, keeps a frame of every step for the live view below.

# %% [markdown] lang="ko"
# ## 학습
#
# 이 루프가 딥러닝의 전부를 다섯 줄에 담고 있습니다. 모든 점의 점수(순전파), 손실, `zero_grad()`
# (기울기는 누적되므로: 6장), `backward()`, 그리고 옵티마이저의 갱신
# p ← p − lr · ∂L/∂p. 학습률은 micrograd 데모처럼 1.0에서
# 0.1까지 선형으로 줄어듭니다(`LinearLR`). 전체 배치로 60번 반복합니다.
# 한 줄을 더한 `live.record(...)`는 아래 라이브 뷰를 위해 단계마다 프레임을 남깁니다.

# %%
from autograd.live import Live

STEPS = 60
optimizer = SGD(model.parameters(), lr=1.0)
schedule = LinearLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=STEPS)
live = Live(model, X, y, loss=hinge, optimizer=optimizer)  # a recorder, for the live view below


def loss_of(model):
    scores = [model(x) for x in X]
    return hinge(scores, y) + l2(model.parameters(), 1e-4), scores


def accuracy(scores):
    return sum((s.data > 0) == (label > 0) for s, label in zip(scores, y)) / len(y)


history = []
for _ in range(STEPS):
    loss, scores = loss_of(model)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    schedule.step()
    live.record(loss, scores=scores)  # one frame: the parameters, their gradients, the loss
    history.append((loss.data, accuracy(scores)))

first, final = history[0], history[-1]
print(f"loss {first[0]:.3f} -> {final[0]:.3f}, accuracy {first[1]:.0%} -> {final[1]:.0%}")
assert final[0] < first[0] / 3  # learned: the loss fell by more than a factor of 3
assert final[1] >= 0.9 and final[1] > first[1]  # far above chance (50%)

# %% [markdown] lang="en"
# The loss fell and the accuracy rose far above the 50% of guessing. Here is the boundary the
# network drew, as text: `+` where the score is positive, `.` where negative, and the points
# on top (`A` for label +1, `B` for -1; lower case where the network gets one wrong).
# Scoring a grid needs no gradients, so it runs under `no_grad()`, which records no graph.

# %% [markdown] lang="ko"
# 손실은 줄었고 정확도는 찍기(50%)보다 훨씬 높아졌습니다. 신경망이 그린 경계를 글자로 그려 봅니다.
# 점수가 양수인 곳은 `+`, 음수인 곳은 `.`, 그 위에 점들을 찍습니다(레이블 +1은 `A`, -1은 `B`,
# 신경망이 틀린 점은 소문자). 격자 위의 점수에는 기울기가 필요 없으므로 계산 그래프를 기록하지 않는
# `no_grad()` 안에서 계산합니다.


# %%
def boundary_map(model, cols=48, rows=18):
    xs = [-1.5 + 4.0 * i / (cols - 1) for i in range(cols)]
    ys = [1.5 - 2.5 * j / (rows - 1) for j in range(rows)]
    with no_grad():
        grid = [["+" if model([u, v]).data > 0 else "." for u in xs] for v in ys]
        for (u, v), label in zip(X, y):
            i = round((u + 1.5) / 4.0 * (cols - 1))
            j = round((1.5 - v) / 2.5 * (rows - 1))
            if 0 <= i < cols and 0 <= j < rows:
                right = (model([u, v]).data > 0) == (label > 0)
                mark = "A" if label > 0 else "B"
                grid[j][i] = mark if right else mark.lower()
    return "\n".join("".join(row) for row in grid)


picture = boundary_map(model)
print(picture)
assert picture.count("A") + picture.count("B") >= 0.85 * len(X)  # most points drawn, and right

# %% [markdown] lang="en"
# ## Watching it learn
#
# The live view replays a training run: the network with each neuron's output as a heatmap over
# the plane, the probe example's graph with its data and gradients at every step, the decision
# boundary, and the loss curve. Press play, or scrub to any step. The page is a static file,
# made by `autograd.live.Live` from the frames that `live.record(...)` took in the loop above:
# the parameters and their gradients after every step. (The probe graph is drawn with the
# recorder's loss, the hinge alone; the L2 term would add a node for every parameter.)

# %% [markdown] lang="ko"
# ## 학습 과정 지켜보기
#
# 라이브 뷰는 학습 과정을 다시 보여 줍니다. 뉴런마다 출력을 평면 위의 히트맵으로 보여 주는 신경망,
# 매 단계의 데이터와 기울기가 적힌 탐침(probe) 예제의 계산 그래프, 결정 경계, 손실 곡선이 있습니다.
# 재생을 누르거나 원하는 단계로 끌어 보세요. 이 페이지는 `autograd.live.Live`가 만든 정적 파일로,
# 위 루프에서 `live.record(...)`가 단계마다 기록한 프레임(매개변수와 그 기울기)으로 만들어집니다.
# (탐침 그래프는 기록기의 손실인 힌지 손실만으로 그립니다. L2 항을 넣으면 매개변수마다 노드가 하나씩
# 늘어납니다.)

# %%
from pathlib import Path

from IPython.display import IFrame

assert live.steps == STEPS and len(live.frames) == STEPS + 1  # frame 0 is the untrained model
Path("pages").mkdir(exist_ok=True)
live.save("pages/09_live.html")
IFrame("pages/09_live.html", width="100%", height=720)

# %% [markdown] lang="en"
# ## The same network in PyTorch
#
# A scalar engine is for understanding, not for size. When a model outgrows it, `to_torch()`
# hands it over: a `torch.nn.Sequential` of `Linear` layers and `ReLU`s holding a copy of the
# trained weights, in float64 by default. Ours computes a neuron as b + Σᵢ wᵢ xᵢ one
# scalar at a time; PyTorch does it as a matrix product. Same mathematics, different order of
# additions, so we expect agreement to rounding, about 10⁻¹⁵, for the outputs, the loss,
# and every one of the 105 gradients.
#
# (The comparison needs PyTorch; without it the cell says so and skips.)

# %% [markdown] lang="ko"
# ## PyTorch로 옮긴 같은 신경망
#
# 스칼라 엔진은 이해하기 위한 것이지 큰 모델을 위한 것이 아닙니다. 모델이 엔진보다 커지면
# `to_torch()`가 넘겨줍니다. 학습된 가중치의 복사본을 담은 `Linear` 계층과 `ReLU`의
# `torch.nn.Sequential`이며, 기본 자료형은 float64입니다. 우리 엔진은 뉴런을 스칼라 하나씩
# b + Σᵢ wᵢ xᵢ로 계산하고, PyTorch는 행렬 곱으로 계산합니다. 수학은 같고 덧셈의 순서만 다르므로
# 출력, 손실, 105개 기울기 모두가 반올림 수준(약 10⁻¹⁵)까지 일치할 것으로 기대합니다.
#
# (이 비교에는 PyTorch가 필요합니다. 없으면 셀이 그렇다고 알리고 건너뜁니다.)

# %%
try:
    import torch
except ImportError:
    torch = None

if torch is None:
    print("note: PyTorch is not installed; skipping the comparison (pip install torch)")
else:
    net = model.to_torch()
    print(net)
    inputs = torch.tensor(X, dtype=torch.float64)
    labels = torch.tensor(y, dtype=torch.float64)
    out = net(inputs).squeeze(1)

    loss, scores = loss_of(model)
    model.zero_grad()
    loss.backward()
    torch_loss = torch.relu(1 - labels * out).mean() + 1e-4 * sum((p * p).sum() for p in net.parameters())
    torch_loss.backward()

    worst_out = max(abs(s.data - o) for s, o in zip(scores, out.tolist()))
    worst_grad = 0.0
    for layer, linear in zip(model.layers, [m for m in net if isinstance(m, torch.nn.Linear)]):
        for j, neuron in enumerate(layer.neurons):
            worst_grad = max(worst_grad, abs(neuron.b.grad - linear.bias.grad[j].item()))
            for k, w in enumerate(neuron.w):
                worst_grad = max(worst_grad, abs(w.grad - linear.weight.grad[j, k].item()))
    print(f"loss: ours {loss.data:.15f}, torch {torch_loss.item():.15f}")
    print(f"largest difference: outputs {worst_out:.1e}, gradients {worst_grad:.1e}")
    assert math.isclose(loss.data, torch_loss.item(), rel_tol=1e-12)
    assert worst_out < 1e-12 and worst_grad < 1e-12

# %% [markdown] lang="en"
# Two engines written independently, one by scalars and one by tensors, agree on the loss and
# on all 105 gradients to about 10⁻¹⁶. That is a strong test of both, and the reason the
# library's test suite compares with PyTorch wherever it is installed.
#
# **Summary.** Training is forward, loss, zero_grad, backward, step, repeated. A 105-parameter
# MLP separates the two moons in 60 full-batch steps. `to_torch()` moves the trained weights to
# PyTorch, which computes the same outputs and gradients.

# %% [markdown] lang="ko"
# 서로 독립적으로 작성된 두 엔진, 하나는 스칼라로 하나는 텐서로 계산하는 엔진이 손실과 105개
# 기울기 모두에서 약 10⁻¹⁶까지 일치합니다. 두 엔진 모두에 대한 강력한 검증이며, 이 라이브러리의
# 테스트가 PyTorch가 설치된 곳에서는 언제나 PyTorch와 비교하는 이유이기도 합니다.
#
# **정리.** 학습은 순전파, 손실, zero_grad, 역전파, 갱신의 반복입니다. 매개변수 105개의 MLP가 60번의
# 전체 배치 단계로 두 개의 달을 구분합니다. `to_torch()`는 학습된 가중치를 PyTorch로 옮기고, PyTorch는
# 같은 출력과 기울기를 계산합니다.
