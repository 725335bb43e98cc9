"""Chinese text → index tokens, and the ranking of articles. Pure functions; no ORM here.

Two kinds of tokens work together:

* jieba words (search mode, so 公共租赁住房 also yields 公共/租赁/住房) — the precise signal;
* character bigrams of Han runs (公租, 租房) — they match when a query is segmented differently from the article,
  or names a term jieba does not know. Bigrams are indexed for the title, keywords and summary only, which keeps the
  index small (a few hundred rows per article) while the body still contributes its words.

Weights per field: title 3, keywords 3, summary 1.5, body 1; within a field a token counts ``1 + log(tf)``.
A query's score for an article is Σ weight × idf over the query's distinct tokens (bigrams count half).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
WORD = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+(?:\.[0-9]+)?")
MAX_TOKEN = 32
BIGRAM_FACTOR = 0.5
FIELD_WEIGHTS = {"title": 3.0, "keywords": 3.0, "summary": 1.5, "body": 1.0}
BIGRAM_FIELDS = ("title", "keywords", "summary")

# Words that carry no meaning in a question (请问…怎么办理…吗).
STOPWORDS = frozenset(
    " ".join(
        (
            "的 了 吗 呢 吧 啊 呀 和 与 及 或 是 在 有 我 你 您 他 她 它 我们 你们 他们",
            "这 那 这个 那个 哪 哪里 哪儿 什么 怎么 怎样 如何 怎么办 为什么 请问 请 问 一下",
            "可以 能 能否 能不能 是否 需要 要 想 想问 就 都 也 还 又 被 把 给 对 从 到 向",
            "去 个 些 等 其 之 以 为 于 上 下 中 里 后 前 时 吗 么 啥 咋 现在 已经 自己",
            "一个 没有 不 不是 多少 几 谁 呀",
        )
    ).split()
)

# Terms of the centre's work that jieba's general dictionary splits badly.
DOMAIN_WORDS = " ".join(
    (
        "公租房 廉租房 保障房 低保 特困 临时救助 医保 新农合 城乡居民医保 养老保险 失业保险",
        "工伤保险 生育保险 住房公积金 公积金 供暖 供热 采暖费 暖气费 取暖费 燃气 物业费",
        "维修资金 专项维修资金 老旧小区 加装电梯 电动车 充电桩 飞线充电 高空抛物 养犬 犬只",
        "占道经营 违建 违法建设 居住证 户口迁移 落户 身份证 不动产登记 房产证 网格员 12345",
        "退役军人 优抚 残疾人 残疾证 两项补贴 高龄津贴 居家养老 日间照料 托育 入学 学区",
        "义务教育 营业执照 个体工商户 创业担保贷款 灵活就业 社保卡 退休 异地就医 门诊慢特病",
        "医疗救助 欠薪 劳动仲裁 法律援助 人民调解 噪声 油烟 垃圾分类 消费维权 预付卡 食品安全",
        "燃气安全 消防通道 烟感 海勃湾 乌海",
    )
).split()

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba():  # type: ignore[no-untyped-def]
    """jieba, initialised once with the domain words (its dictionary load takes about a second)."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                for word in DOMAIN_WORDS:
                    jieba.add_word(word, freq=20000)
                jieba.initialize()
                _jieba_ready = True
    return jieba


def normalize(text: str) -> str:
    """Full-width → half-width, lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str) -> list[str]:
    """jieba search-mode words of ``text`` without stopwords and punctuation; ASCII words (12345, wifi) kept."""
    text = normalize(text)
    jieba = _jieba()
    out: list[str] = []
    for chunk in WORD.findall(text):
        if HAN_RUN.fullmatch(chunk):
            for word in jieba.lcut_for_search(chunk):
                if word not in STOPWORDS and len(word) <= MAX_TOKEN:
                    out.append(word)
        elif len(chunk) >= 2 or chunk.isdigit():
            out.append(chunk[:MAX_TOKEN])
    return out


def bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of each Han run (a lone character stands for itself)."""
    out: list[str] = []
    for run in HAN_RUN.findall(normalize(text)):
        if len(run) == 1:
            continue
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def bigram_key(gram: str) -> str:
    """Bigrams live in the same table as words, marked so that the word 公租 and the bigram 公租 stay apart."""
    return "~" + gram


def article_tokens(fields: Mapping[str, str]) -> dict[str, float]:
    """The weighted index tokens of one article (``fields``: title, keywords, summary, body)."""
    weights: dict[str, float] = defaultdict(float)
    for name, text in fields.items():
        boost = FIELD_WEIGHTS.get(name, 1.0)
        for token, tf in Counter(words(text)).items():
            weights[token] += boost * (1.0 + math.log(tf))
        if name in BIGRAM_FIELDS:
            for gram, tf in Counter(bigrams(text)).items():
                weights[bigram_key(gram)] += boost * BIGRAM_FACTOR * (1.0 + math.log(tf))
    return {token: round(weight, 4) for token, weight in weights.items()}


def query_tokens(query: str) -> list[str]:
    """The distinct tokens a query looks up: its words and its bigrams (bigrams of stopwords left out)."""
    found: dict[str, None] = {}
    for word in words(query):
        found.setdefault(word, None)
    for gram in bigrams(query):
        if gram not in STOPWORDS and not (gram[0] in STOPWORDS and gram[1] in STOPWORDS):
            found.setdefault(bigram_key(gram), None)
    return list(found)


def idf(document_frequency: int, total_documents: int) -> float:
    """Smoothed inverse document frequency (never negative)."""
    return math.log(1.0 + (total_documents + 1) / (document_frequency + 0.5))


def rank(
    postings: Iterable[tuple[int, str, float]],
    document_frequency: Mapping[str, int],
    total_documents: int,
    *,
    limit: int,
) -> list[tuple[int, float]]:
    """Article ids by score, best first. ``postings``: (article id, token, weight) rows for the query's tokens.

    An article must match at least one word or two bigrams, so a single shared character pair does not surface it.
    """
    scores: dict[int, float] = defaultdict(float)
    bigram_hits: Counter[int] = Counter()
    word_hits: Counter[int] = Counter()
    for article_id, token, weight in postings:
        scores[article_id] += weight * idf(document_frequency.get(token, 0), total_documents)
        if token.startswith("~"):
            bigram_hits[article_id] += 1
        else:
            word_hits[article_id] += 1
    eligible = [(aid, score) for aid, score in scores.items() if word_hits[aid] or bigram_hits[aid] >= 2]
    eligible.sort(key=lambda item: (-item[1], item[0]))
    return [(aid, round(score, 4)) for aid, score in eligible[:limit]]
