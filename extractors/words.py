"""What a word is, as ANNOTATION.md's scoring rule defines it.

Words are runs of letters and digits, except that each CJK ideograph, kana or
hangul syllable is a word of its own: Chinese has no spaces, so a run rule
would make a whole Chinese sentence one word and any two differing
sentences disjoint. The scorer, the training data's span matching and the
license fingerprint all split text this way, so they agree on what overlaps.
"""

from __future__ import annotations

import re

CJK_RANGES = (
    "\u1100-\u11ff\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\U00020000-\U0002ebef"
)
"""Hangul jamo and syllables, kana, bopomofo and CJK ideographs (with extensions)."""

WORD = re.compile(rf"[{CJK_RANGES}]|[^\W_{CJK_RANGES}]+")
"""One CJK character, or a run of other letters and digits (`_` is not a letter)."""


def words(text: str) -> list[str]:
    """Return the lower-cased words of `text`, in order."""
    return WORD.findall(text.lower())
