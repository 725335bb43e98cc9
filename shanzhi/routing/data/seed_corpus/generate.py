"""Compose the seed corpus of citizen messages from hand-written phrase banks. Seeded and deterministic.

    python -m shanzhi.routing.data.seed_corpus.generate            # writes train.csv and heldout.csv here

Each category leaf has a bank in ``banks/*.txt`` (topics ``T``, problems ``P``, requests ``A``); ``phrases.py`` holds
what all categories share (places of 海勃湾区, openings, durations, feelings, requests, noise). A message is a
*template* (the shape of the message: one line, a complaint with an introduction, a multi-paragraph story, a formal
letter …) filled with phrases. The held-back split uses templates, title patterns, shared phrases **and** one
problem per leaf that never appear in training, so that evaluating on it measures how the model copes with wording
it has not seen rather than how well it memorised the generator.
"""

from __future__ import annotations

import csv
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shanzhi.routing.data.seed_corpus import phrases as ph

HERE = Path(__file__).resolve().parent
BANKS_DIR = HERE / "banks"
CATEGORIES_CSV = HERE.parent / "categories.csv"
DIVISIONS_CSV = HERE.parents[2] / "orgs" / "data" / "haibowan-divisions.csv"
COLUMNS = ("text", "title", "category_path")
SEED = 20251128
TRAIN_PER_LEAF = 22  # at least; small level-1 classes get more per leaf so that each has ≥ 160 training messages
HELD_PER_LEAF = 6
MIN_TRAIN_PER_LEVEL1 = 200
MIN_HELD_PER_LEVEL1 = 48


@dataclass
class LeafBank:
    path: str
    topics: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)


def banks_load(directory: Path = BANKS_DIR) -> list[LeafBank]:
    """Parse the bank files: ``= level1``, ``@ level2/level3``, then ``T a|b``, ``P …``, ``A …`` lines."""
    banks: list[LeafBank] = []
    level1 = ""
    for file in sorted(directory.glob("*.txt")):
        for raw in file.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            tag, _, rest = line.partition(" ")
            rest = rest.strip()
            if tag == "=":
                level1 = rest
            elif tag == "@":
                banks.append(LeafBank(path=f"{level1}/{rest}"))
            elif tag == "T":
                banks[-1].topics.extend(t.strip() for t in rest.split("|") if t.strip())
            elif tag == "P":
                banks[-1].problems.append(rest)
            elif tag == "A":
                banks[-1].asks.append(rest)
            else:
                raise ValueError(f"{file.name}: unknown line {line!r}")
    return banks


def category_leaf_paths(path: Path = CATEGORIES_CSV) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [f"{r['level1']}/{r['level2']}/{r['level3']}" for r in rows if r["level3"]]


def _communities_and_villages() -> tuple[list[str], list[str]]:
    communities, villages = [], []
    with DIVISIONS_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"]
            if name.endswith("社区居委会") and "虚拟" not in name:
                communities.append(name.removesuffix("居委会"))
            elif name.endswith("村委会"):
                villages.append(name.removesuffix("委会"))
    return communities, villages


COMMUNITIES, VILLAGES = _communities_and_villages()


class Composer:
    """Fills slots and applies noise with one random generator; ``held`` picks the held-back phrase lists."""

    def __init__(self, rng: random.Random, held: bool) -> None:
        self.rng = rng
        self.held = held

    def pick(self, common: list[str], held: list[str]) -> str:
        return self.rng.choice(held if self.held else common)

    def fill(self, text: str) -> str:
        rng = self.rng
        slots: dict[str, Callable[[], str]] = {
            "xq": lambda: rng.choice(ph.COMPOUNDS),
            "road": lambda: rng.choice(ph.ROADS),
            "comm": lambda: rng.choice(COMMUNITIES),
            "street": lambda: rng.choice(ph.STREETS),
            "village": lambda: rng.choice(VILLAGES),
            "co": lambda: rng.choice(ph.COMPANIES),
            "n": lambda: str(rng.randint(2, 9)),
            "nn": lambda: str(rng.randint(12, 60)),
            "money": lambda: str(rng.choice([800, 1500, 2000, 3600, 5000, 8000, 12000, 30000, 56000])),
        }
        return re.sub(r"\{(\w+)\}", lambda m: slots[m.group(1)](), text)

    def noise(self, text: str) -> str:
        """Typos, particles, half-width punctuation or none, full-width digits: as people really type."""
        rng = self.rng
        if rng.random() < 0.25:
            for right, wrong in rng.sample(sorted(ph.TYPOS.items()), k=2):
                text = text.replace(right, wrong, 1)
        if rng.random() < 0.2:
            text = text.replace("，", rng.choice([",", " ", "，"]))
        if rng.random() < 0.1:
            text = re.sub(r"[，。！]", " ", text)
        if rng.random() < 0.15:
            text = text.replace("。", rng.choice(ph.PARTICLES) + "。", 1)
        if rng.random() < 0.1:
            text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        if rng.random() < 0.08:
            text = text.rstrip("。") + "！！！"
        return re.sub(r"[ \t]+", " ", text).strip()


def _clause(text: str) -> str:
    return text.rstrip("。！，, ")


# --- templates: (composer, bank, problems) → text. The last three are held back for evaluation. ----------------------


def t_one_line(c: Composer, b: LeafBank, probs: list[str]) -> str:
    return _clause(c.fill(c.rng.choice(probs))) + "。"


def t_intro(c: Composer, b: LeafBank, probs: list[str]) -> str:
    g, i = c.pick(ph.GREETINGS, ph.GREETINGS_HELD), c.pick(ph.INTROS, ph.INTROS_HELD)
    d, f = c.pick(ph.DURATIONS, ph.DURATIONS_HELD), c.pick(ph.FEELINGS, ph.FEELINGS_HELD)
    return c.fill(f"{g}{i}{_clause(c.rng.choice(probs))}，{d}，{f}。{_ask(c, b)}")


def t_place(c: Composer, b: LeafBank, probs: list[str]) -> str:
    p, h = c.pick(ph.PLACES, ph.PLACES_HELD), c.pick(ph.HISTORIES, ph.HISTORIES_HELD)
    return c.fill(f"反映一下{p}的问题：{_clause(c.rng.choice(probs))}。{h}{_ask(c, b)}{_close(c)}")


def t_question(c: Composer, b: LeafBank, probs: list[str]) -> str:
    topic = c.rng.choice(b.topics) if b.topics else ""
    return c.fill(
        f"{c.pick(ph.GREETINGS, ph.GREETINGS_HELD)}{_clause(c.rng.choice(probs))}。想问问{topic}这种情况该找谁？"
    )


def t_story(c: Composer, b: LeafBank, probs: list[str]) -> str:
    rng = c.rng
    first, second = rng.sample(probs, k=2) if len(probs) > 1 else (probs[0], probs[0])
    greeting, intro = c.pick(ph.GREETINGS, ph.GREETINGS_HELD), c.pick(ph.INTROS, ph.INTROS_HELD)
    paras = [
        f"{greeting}{intro}{c.pick(ph.ASIDES, ph.ASIDES_HELD)}",
        f"{_clause(first)}，{c.pick(ph.DURATIONS, ph.DURATIONS_HELD)}。",
        f"而且{_clause(second)}，{c.pick(ph.FEELINGS, ph.FEELINGS_HELD)}。{c.pick(ph.HISTORIES, ph.HISTORIES_HELD)}",
        f"{_ask(c, b)}{_close(c)}",
    ]
    return c.fill("\n".join(paras))


def t_duration_first(c: Composer, b: LeafBank, probs: list[str]) -> str:
    d = c.pick(ph.DURATIONS, ph.DURATIONS_HELD)
    return c.fill(f"{d}，{_clause(c.rng.choice(probs))}！{c.pick(ph.FEELINGS, ph.FEELINGS_HELD)}。{_ask(c, b)}")


def t_complaint_short(c: Composer, b: LeafBank, probs: list[str]) -> str:
    return c.fill(f"{c.pick(ph.PLACES, ph.PLACES_HELD)}，{_clause(c.rng.choice(probs))}，{_ask(c, b)}")


def t_aside(c: Composer, b: LeafBank, probs: list[str]) -> str:
    a, h = c.pick(ph.ASIDES, ph.ASIDES_HELD), c.pick(ph.HISTORIES, ph.HISTORIES_HELD)
    return c.fill(f"{a}{_clause(c.rng.choice(probs))}。{h}{_close(c)}")


def t_formal(c: Composer, b: LeafBank, probs: list[str]) -> str:
    first, second = c.rng.sample(probs, k=2) if len(probs) > 1 else (probs[0], probs[0])
    opening = f"{c.pick(ph.GREETINGS, ph.GREETINGS_HELD)}{c.pick(ph.INTROS, ph.INTROS_HELD)}现反映如下情况："
    duration, history = c.pick(ph.DURATIONS, ph.DURATIONS_HELD), c.pick(ph.HISTORIES, ph.HISTORIES_HELD)
    body = (
        f"一、{_clause(first)}；\n二、{duration}，{history}"
        if first == second
        else f"一、{_clause(first)}；\n二、{_clause(second)}，{duration}。{history}"
    )
    return c.fill(f"{opening}\n{body}\n{_ask(c, b)}{_close(c)}")


def t_exclaim(c: Composer, b: LeafBank, probs: list[str]) -> str:
    f, p = c.pick(ph.FEELINGS, ph.FEELINGS_HELD), c.pick(ph.PLACES, ph.PLACES_HELD)
    return c.fill(f"{f}！{p}这边{_clause(c.rng.choice(probs))}！！{c.pick(ph.HISTORIES, ph.HISTORIES_HELD)}")


def t_netizen(c: Composer, b: LeafBank, probs: list[str]) -> str:
    d = c.pick(ph.DURATIONS, ph.DURATIONS_HELD)
    return c.fill(f"网友留言：{_clause(c.rng.choice(probs))}，{d}。{_ask(c, b)}")


# --- letters: the long narrative of a message board (A市A3区…, dates, what officials said, a second matter) ---------

CITIES = ["A市", "A市", "乌海市", "B市", "K市"]
DISTRICTS = ["A1区", "A2区", "A3区", "A5区", "A7区", "海勃湾区", "乌达区", "K2县"]
DATES = [
    "2019年3月",
    "2019年11月",
    "2020年1月",
    "2018年底",
    "今年5月12日",
    "去年冬天",
    "上个月初",
    "2020年6月18日",
    "春节前",
    "8月份",
]
OFFICIALS = [
    "社区的工作人员说：“这个事不归我们管，你们去找街道。”",
    "街道办的同志答复说已经上报了，让我们回家等消息。",
    "打电话给相关部门，对方说“正在研究，年底前解决”，结果到现在也没动静。",
    "有位领导来看过一次，当场表态一定处理，后来就再也没见过人。",
    "工作人员的原话是“我们也没办法，上面没有文件”。",
    "我们也找过几次，答复都是“已经在协调了”。",
]
LETTER_TITLES = [
    "关于{place}的问题",
    "{place}居民的求助",
    "请领导关注{place}的情况",
    "反映{place}的一些情况",
    "恳请解决{place}群众的困难",
    "{district}的问题何时能解决",
]


def _letter_place(c: Composer) -> str:
    rng = c.rng
    return rng.choice(CITIES) + rng.choice(DISTRICTS) + c.fill(rng.choice(["{street}", "{comm}", "{xq}", "{road}"]))


def t_letter(c: Composer, b: LeafBank, probs: list[str]) -> str:
    """A message-board letter: several paragraphs, a place and dates, the matter told as what happened, an official's
    words, sometimes a second, smaller matter of another category, a request. The title names no category."""
    rng = c.rng
    first, second = rng.sample(probs, k=2) if len(probs) > 1 else (probs[0], probs[0])
    date = rng.choice(DATES)
    also = f"同时，{_clause(second)}。" if second != first else ""
    paras = [
        f"{rng.choice(['尊敬的领导：', '领导您好！', '', '市长您好，'])}我是{_letter_place(c)}的居民，"
        f"{rng.choice(['在这里住了十几年了', '家里有两位老人', '是个普通的上班族', '平时很少麻烦政府'])}。",
        f"{rng.choice(['{d}以来', '从{d}开始', '{d}的时候']).format(d=date)}，{_clause(first)}。{also}",
        f"{rng.choice(OFFICIALS)}{c.pick(ph.DURATIONS, ph.DURATIONS_HELD)}，{c.pick(ph.FEELINGS, ph.FEELINGS_HELD)}。",
    ]
    if _OTHER_PROBLEMS and rng.random() < 0.35:
        other = rng.choice(_OTHER_PROBLEMS)
        if other[0] != b.path.split("/")[0]:
            paras.append(f"另外顺便说一下，{_clause(other[1])}，也希望一并看看。")
    paras.append(f"{_ask(c, b)}{_close(c)}")
    return c.fill("\n".join(paras))


_OTHER_PROBLEMS: list[tuple[str, str]] = []  # (level-1, problem) of every bank, filled by corpus_build


TEMPLATES_TRAIN = [
    t_one_line,
    t_intro,
    t_place,
    t_question,
    t_story,
    t_duration_first,
    t_complaint_short,
    t_aside,
    t_letter,
    t_letter,
]
TEMPLATES_HELD = [t_formal, t_exclaim, t_netizen]

TITLES_TRAIN = ["{topic}", "{place}{topic}", "关于{topic}的问题", "", "{topic}问题", "{street}{topic}"]
TITLES_HELD = ["反映{place}{topic}问题", "{topic}，请求处理", "投诉：{topic}", ""]


def _ask(c: Composer, b: LeafBank) -> str:
    if b.asks and c.rng.random() < 0.5:
        return _clause(c.rng.choice(b.asks)) + "。"
    return c.pick(ph.ASKS, ph.ASKS_HELD)


def _close(c: Composer) -> str:
    return c.pick(ph.CLOSINGS, ph.CLOSINGS_HELD)


def _title(c: Composer, topics: list[str], *, letter: bool = False) -> str:
    if letter:
        place = c.fill(c.rng.choice(["{xq}", "{comm}", "{road}", "{street}"]))
        return c.rng.choice(LETTER_TITLES).format(place=place, district=c.rng.choice(DISTRICTS))
    if not topics:
        return ""
    pattern = c.rng.choice(TITLES_HELD if c.held else TITLES_TRAIN)
    place = c.rng.choice([*ph.COMPOUNDS[:12], *ph.ROADS[:8], *COMMUNITIES[:10]])
    street = c.rng.choice(ph.STREET_SHORT)
    return c.fill(pattern.format(topic=c.rng.choice(topics), place=place, street=street))


def split_bank(bank: LeafBank) -> tuple[LeafBank, LeafBank]:
    """Training and held-back views of a bank: the last problem (and last topic) are held back when there are two."""
    problems, topics = bank.problems, bank.topics
    train = LeafBank(bank.path, topics[:-1] if len(topics) > 1 else topics, problems[:-1], bank.asks)
    held = LeafBank(bank.path, topics[-1:], problems[-1:], bank.asks)
    return train, held


def messages_for(
    bank: LeafBank, *, held: bool, count: int, seed: int = SEED, letters: bool = False
) -> list[dict[str, str]]:
    rng = random.Random(seed + zlib.crc32(f"{bank.path}|{held}".encode()))
    composer = Composer(rng, held)
    train_view, held_view = split_bank(bank)
    view = held_view if held else train_view
    templates = [t_letter] if letters else TEMPLATES_HELD if held else TEMPLATES_TRAIN
    rows = []
    for i in range(count):
        template = templates[i % len(templates)] if i < len(templates) else rng.choice(templates)
        probs = view.problems if held else train_view.problems
        text = composer.noise(template(composer, view, probs))
        title = _title(composer, view.topics, letter=template is t_letter)
        rows.append({"text": text, "title": title, "category_path": bank.path})
    return rows


Rows = list[dict[str, str]]


def corpus_build(seed: int = SEED) -> tuple[Rows, Rows, Rows]:
    """Training rows, held-back rows, and calibration rows (held-back style, another seed: fits the temperature)."""
    banks = banks_load()
    known = set(category_leaf_paths())
    unknown = [b.path for b in banks if b.path not in known]
    if unknown:
        raise ValueError(f"banks name categories that are not in categories.csv: {unknown}")
    thin = [b.path for b in banks if len(b.problems) < 2]
    if thin:
        raise ValueError(f"banks need at least two problems (one is held back): {thin}")
    _OTHER_PROBLEMS[:] = [(b.path.split("/")[0], p) for b in banks for p in split_bank(b)[0].problems]
    train: list[dict[str, str]] = []
    held: list[dict[str, str]] = []
    calibration: list[dict[str, str]] = []
    leaves_per_level1: dict[str, int] = {}
    for bank in banks:
        level1 = bank.path.split("/")[0]
        leaves_per_level1[level1] = leaves_per_level1.get(level1, 0) + 1
    for bank in banks:
        n = leaves_per_level1[bank.path.split("/")[0]]
        n_train = max(TRAIN_PER_LEAF, -(-MIN_TRAIN_PER_LEVEL1 // n))
        n_held = max(HELD_PER_LEAF, -(-MIN_HELD_PER_LEVEL1 // n))
        train.extend(messages_for(bank, held=False, count=n_train, seed=seed))
        held.extend(messages_for(bank, held=True, count=n_held, seed=seed))
        calibration.extend(messages_for(bank, held=True, count=3, seed=seed + 1))
    return train, held, calibration


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    train, held, calibration = corpus_build()
    _write(HERE / "train.csv", train)
    _write(HERE / "heldout.csv", held)
    _write(HERE / "calibration.csv", calibration)
    print(f"train.csv: {len(train)}; heldout.csv: {len(held)}; calibration.csv: {len(calibration)} messages")


if __name__ == "__main__":
    main()
