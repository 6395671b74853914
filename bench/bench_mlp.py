"""The MLP's speed on names.txt beside part 2's plain loop in the same run, the full schedule's
time and memory, and the crossover's goal: the MLP at context 8 against the best count model.

python bench/bench_mlp.py            (the lot: about 6 minutes on one thread)
python bench/bench_mlp.py --quick    (steps per second only)
python bench/bench_mlp.py --live     (a long run's cost to the browser, the wire and the server)
python bench/bench_mlp.py --estimate (cost() against the measured time, idle and under load)

--live, measured 2026-12-04 on the 2-core box shared with other sessions (load average 6-13), headless
Chromium at 1500x1100, the MLP tab's defaults but the steps:
  before (every step a point)  50,000 steps: page 24.7 fps, 50,000 points, live route 4.92 MB at 200,000
                               steps (1.34 MB at 50,000), largest message 19.7 kB; server +36 MB a run
                              200,000 steps: page 15.7 fps, 200,000 points, 3,168 messages
  after (bucket means)         50,000 steps: page 43.3 fps, 1,000 points, 0.33 MB, largest 0.5 kB, +16 MB
                              200,000 steps: page 47.3 fps, 2,000 points, 0.92 MB, largest 0.5 kB, +4 MB
"""

import argparse
import math
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from makemore.crossover import CONTEXTS, CROSSOVER_MLP, best_counts, count_row, mlp_row
from makemore.data import Vocab, load_words, split
from makemore.mlp import MLPConfig, MLPTrainer
from makemore.ngram import build_dataset

torch.set_num_threads(1)
LECTURE = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "lecture_names.txt"


def lecture_loop(Xtr, Ytr, steps, k=3, d=10, h=200, seed=2147483647):
    """Part 2's cells as the lecture runs them (autograd; the loss read every step for its plot)."""
    g = torch.Generator().manual_seed(seed)
    C = torch.randn((27, d), generator=g)
    W1 = torch.randn((k * d, h), generator=g)
    b1 = torch.randn(h, generator=g)
    W2 = torch.randn((h, 27), generator=g)
    b2 = torch.randn(27, generator=g)
    parameters = [C, W1, b1, W2, b2]
    for p in parameters:
        p.requires_grad = True
    lossi = []
    for i in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        emb = C[Xtr[ix]]
        hpre = torch.tanh(emb.view(-1, k * d) @ W1 + b1)
        logits = hpre @ W2 + b2
        loss = F.cross_entropy(logits, Ytr[ix])
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < steps // 2 else 0.01
        for p in parameters:
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())


def run(trainer: MLPTrainer) -> None:
    for _ in trainer.steps():
        pass


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS now, VmHWM its peak), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1e3
    return math.nan


def steps_per_second(train, dev, vocab, steps=3000, repeat=7) -> None:
    Xtr, Ytr = build_dataset(train, vocab, 3)
    plain, ours, ours_dev = [], [], []
    for _ in range(repeat):  # interleaved, so a busy moment of the machine hits all three
        t = time.perf_counter()
        lecture_loop(Xtr, Ytr, steps)
        plain.append(steps / (time.perf_counter() - t))
        for config, out in ((MLPConfig(steps=steps, dev_every=0), ours), (MLPConfig(steps=steps), ours_dev)):
            trainer = MLPTrainer(train, dev, vocab, config)  # its dataset built outside the timing, as the loop's
            t = time.perf_counter()
            run(trainer)
            out.append(steps / (time.perf_counter() - t))
    p = statistics.median(plain)
    print(f"steps per second, d 10 h 200 k 3 batch 32 (median of {repeat} x {steps:,} steps, interleaved):")
    print(f"  lecture's loop (autograd)        {p:8,.0f}")
    print(f"  MLPTrainer                       {statistics.median(ours):8,.0f}   {statistics.median(ours) / p:.2f}x")
    m = statistics.median(ours_dev)
    print(f"  MLPTrainer, dev NLL every 500    {m:8,.0f}   {m / p:.2f}x   (target >= 1.0x)")


def full_schedule(path: str | None, label: str) -> str:
    """Part 2's last run in a fresh process, so its memory peak is its own (run through spawn)."""
    words = load_words(path)
    train, dev, _ = split(words)
    vocab = Vocab.from_words(words)
    config = MLPConfig(init_fix=False)  # part 2's last run, dev NLL every 500 steps as the app shows it
    base = status_mb("VmRSS")
    t = time.perf_counter()
    trainer = MLPTrainer(train, dev, vocab, config)
    estimate = trainer.cost()
    run(trainer)
    seconds = time.perf_counter() - t
    peak = status_mb("VmHWM")
    state = trainer.final()
    return (
        f"{label}: 200,000 steps in {seconds:.0f} s (cost() said {estimate.seconds(config.steps):.0f} s); "
        f"train {trainer.nll(state, 'train'):.4f}, dev {trainer.nll(state, 'dev'):.4f} (lecture ~2.17); "
        f"memory: the run's peak {peak - base:.0f} MB above the process's {base:.0f} MB with its words loaded "
        f"(cost() said {estimate.bytes / 1e6:.0f} MB)"
    )


def crossover_goal(train, dev, vocab) -> None:
    counts = [count_row(train, dev, vocab, n) for n in CONTEXTS]
    best = best_counts(counts)
    row = mlp_row(train, dev, vocab, 8, CROSSOVER_MLP)
    ahead = best["count_dev"] - row["mlp_dev"]
    print(
        f"best count model: n = {best['n']}, smoothing {best['smoothing']:g}, dev {best['count_dev']:.4f}; "
        f"MLP at n = 8 ({CROSSOVER_MLP.steps:,} steps of {CROSSOVER_MLP.batch}, d {CROSSOVER_MLP.d}, "
        f"h {CROSSOVER_MLP.h}, init fix): dev {row['mlp_dev']:.4f} in {row['mlp_seconds']:.0f} s; "
        f"ahead by {ahead:.4f} nats (target >= 0.05 in < 180 s)"
    )


# samples every frame of the page while the MLP's curve is live: its points and curve changes
MLP_SAMPLER = """() => { window.frames_ = []; const tick = () => {
  const c = document.querySelector('.st-key-mlp_loss .mm-chart'), m = (c && c._mm) || {};
  window.frames_.push({t: performance.now(), n: m.live ? m.live.ys.length : -1, changed: m.live ? m.live.frames : -1});
  if (!window.stopFrames) requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }"""


def live_cost(browser, url: str, proc, steps: int) -> dict:
    """A run of `steps` MLP steps streamed to a page (headless Chromium, 1500x1100): the page's frames
    per second while it trains, the points the page holds at the end, the live route's messages and
    bytes, and the server's memory over the run (its RSS before Train and at its peak)."""
    from tools.probes import wait_chart
    from tools.servers import rss_mb

    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    sizes = []
    page.on(
        "websocket", lambda ws: "/api/live/runs/" in ws.url and ws.on("framereceived", lambda p: sizes.append(len(p)))
    )
    page.goto(f"{url}/?tab=MLP&mlp_steps={steps}")
    wait_chart(page, "mlp_loss", lambda s: True, timeout=120)
    time.sleep(1)
    base, peak = rss_mb(proc.pid), 0.0
    page.evaluate(MLP_SAMPLER)
    page.get_by_role("button", name="Train the MLP").click()
    wait_chart(page, "mlp_loss", lambda s: s["live"] is not None and s["live"]["n"] > 0, timeout=120, light=True)
    points = 0
    while True:
        peak = max(peak, rss_mb(proc.pid))
        s = page.evaluate(
            "() => { const c = document.querySelector('.st-key-mlp_loss .mm-chart'); "
            "return c && c._mm && c._mm.live ? [c._mm.live.ys.length, c._mm.live.ended] : null; }"
        )
        if s is None or s[1]:
            break
        points = s[0]
        time.sleep(0.2)
    frames = page.evaluate("() => { window.stopFrames = true; return window.frames_; }")
    page.close()
    run = [f for f in frames if f["n"] > 0]
    seconds = (run[-1]["t"] - run[0]["t"]) / 1000 if len(run) > 1 else math.nan
    return {
        "fps": len(run) / seconds,
        "seconds": seconds,
        "points": max(points, run[-1]["n"] if run else 0),
        "messages": len(sizes),
        "bytes": sum(sizes),
        "largest": max(sizes, default=0),
        "rss_base": base,
        "rss_peak": peak,
    }


def live_costs(steps_list: list[int]) -> None:
    from playwright.sync_api import sync_playwright

    from tools.chromium import CHROMIUM_ARGS, find_chromium
    from tools.servers import app_server

    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium: sudo apt-get install chromium (or set CHROMIUM)")
    with app_server() as (url, proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for steps in steps_list:
            r = live_cost(browser, url, proc, steps)
            print(
                f"live MLP curve, {steps:>7,} steps: page {r['fps']:4.1f} fps over {r['seconds']:.0f} s of training; "
                f"{r['points']:,} points in the page; live route {r['messages']} messages, {r['bytes'] / 1e6:.2f} MB, "
                f"largest {r['largest'] / 1e3:.1f} kB; server RSS {r['rss_base']:.0f} MB before Train, "
                f"peak {r['rss_peak']:.0f} MB (+{r['rss_peak'] - r['rss_base']:.0f})",
                flush=True,
            )
        browser.close()


def estimate_one(args) -> tuple[float, float]:
    """(cost()'s seconds, measured seconds) of one config, in a fresh process on one thread."""
    (config,) = args
    torch.set_num_threads(1)
    words = load_words()
    train, dev, _ = split(words)
    trainer = MLPTrainer(train, dev, Vocab.from_words(words), config)
    said = trainer.cost().seconds(config.steps)
    t = time.perf_counter()
    run(trainer)
    return said, time.perf_counter() - t


def burn(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def estimates(steps: int = 4000) -> None:
    """cost()'s time against the measured one for a few configs, idle and with 2 busy processes."""
    configs = [
        ("context 3, d 10, h 200, batch 32", MLPConfig(steps=steps)),
        ("context 8, d 10, h 200, batch 32", MLPConfig(context=8, steps=steps)),
        ("context 3, d 10, h 200, batch 256", MLPConfig(batch=256, steps=steps)),
    ]
    ctx = multiprocessing.get_context("spawn")
    for load in (0, 2):
        stop = ctx.Event()
        burners = [ctx.Process(target=burn, args=(stop,)) for _ in range(load)]
        for b in burners:
            b.start()
        with ctx.Pool(1) as pool:
            for label, config in configs:
                said, took = pool.apply(estimate_one, ((config,),))
                print(
                    f"{'idle' if not load else f'{load} busy processes':>16}  {label}: {steps:,} steps, "
                    f"cost() {said:5.1f} s, measured {took:5.1f} s ({took / said:.2f}x)",
                    flush=True,
                )
        stop.set()
        for b in burners:
            b.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="steps per second only")
    parser.add_argument("--live", action="store_true", help="a long run's cost to the browser and the server")
    parser.add_argument("--estimate", action="store_true", help="cost() against the measured time")
    args = parser.parse_args()
    if args.live:
        return live_costs([50_000, 200_000])
    if args.estimate:
        return estimates()
    words = load_words()
    vocab = Vocab.from_words(words)
    train, dev, _ = split(words)
    print(f"names.txt: {len(words):,} words; torch {torch.__version__}, 1 thread\n")
    steps_per_second(train, dev, vocab)
    if args.quick:
        return
    runs = [(None, "names.txt")] + ([(str(LECTURE), "the lecture's names.txt")] if LECTURE.is_file() else [])
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        for path, label in runs:
            print(pool.apply(full_schedule, (path, label)), flush=True)
    crossover_goal(train, dev, vocab)


if __name__ == "__main__":
    main()
