"""Parsers of the personnel area's own values (posts, sittings), beside `labtrack.parsing`'s."""

import re
from typing import Any

from flask_babel import gettext as _

from labtrack import parsing
from labtrack.parsing import ParseError
from labtrack.personnel.models import Post, Sitting

# Posts as people write them in a file: the code, the English label, the Chinese word.
_POST_WORDS = {
    Post.HEAD: ("head of laboratory", "实验室负责人", "实验室主任", "负责人"),
    Post.TECHNICAL_DIRECTOR: ("technical director", "技术负责人"),
    Post.QUALITY_MANAGER: ("quality manager", "质量负责人"),
    Post.SIGNATORY: ("authorised signatory", "authorized signatory", "signatory", "授权签字人"),
    Post.ANALYST: ("analyst", "检测人员", "检验员", "检测员"),
    Post.SAMPLER: ("sampler", "抽样人员", "抽样员"),
    Post.INTERNAL_AUDITOR: ("internal auditor", "内审员"),
    Post.OTHER: ("other", "other post", "其他"),
}
POST_ALIASES: dict[str, Post] = {p.value: p for p in Post}
for _post, _words in _POST_WORDS.items():
    for _word in _words:
        POST_ALIASES[_word.casefold()] = _post

_SITTING_WORDS = {
    "sat": Sitting.SAT,
    "present": Sitting.SAT,
    "参加": Sitting.SAT,
    "参考": Sitting.SAT,
    "absent": Sitting.ABSENT,
    "缺考": Sitting.ABSENT,
}


def parse_posts(value: Any) -> list[Post]:
    """Posts from a list or from text separated by ; or , (codes, English labels or Chinese words)."""
    if parsing.is_blank(value) or value == []:
        raise ParseError(_("Choose at least one post."))
    items = value if isinstance(value, list | tuple) else re.split(r"[;,；，、]", str(value))
    posts: list[Post] = []
    for raw in items:
        word = str(raw).strip()
        if not word:
            continue
        post = POST_ALIASES.get(word.casefold())
        if post is None:
            known = ", ".join(p.value for p in Post)
            raise ParseError(_("Unknown post %(post)s; use one of: %(known)s.", post=word[:40], known=known))
        if post not in posts:
            posts.append(post)
    if not posts:
        raise ParseError(_("Choose at least one post."))
    return posts


def post_list(value: Any) -> list[Post]:
    """Posts, possibly none (an exam whose entrants are named one by one)."""
    if parsing.is_blank(value) or value == []:
        return []
    return parse_posts(value)


def parse_sitting(value: Any) -> Sitting:
    """Sat or absent (also 参加 / 缺考)."""
    word = parsing.text(value, max_len=20, multiline=False)
    status = _SITTING_WORDS.get(word.casefold())
    if status is None:
        raise ParseError(_("Say sat or absent."))
    return status


def parse_score(value: Any) -> float | None:
    """An exam score from 0 to 100 (None when not given)."""
    try:
        return parsing.number(value, required=False, minimum=0, maximum=100)
    except ParseError:
        raise ParseError(_("The score must be a number from 0 to 100.")) from None
