"""Which of the bot's two languages a message is in: English or Bosnian/Croatian/Serbian.

Detectors cannot tell Bosnian, Croatian and Serbian apart, and the bot treats them as one
language ("bcs"). Short, ambiguous messages ("ok", "1", an emoji) give None, so the
conversation keeps the language it already had.
"""
from __future__ import annotations

import re
from typing import Literal

from bot.text.scripts import detect_script, normalize_for_nlu

Language = Literal["en", "bcs"]

_BCS_LETTERS = re.compile(r"[čćđšžČĆĐŠŽ]")
_WORD = re.compile(r"[a-z']+")

# Frequent words that exist in only one of the two languages (after folding diacritics).
# Words shared by both ("i", "a", "me", "on", "to", "u", "no") are left out on purpose.
_BCS_WORDS = frozenset(
    ["je", "sam", "si", "smo", "ste", "su", "da", "ne", "se", "mi", "mene", "ja", "ti", "ona", "oni", "ono", "sta", "sto", "kako", "gdje", "gde", "zasto", "zato", "koji", "koja", "koje", "ko", "tko", "nije", "nisam", "nisu", "ima", "imam", "nema", "nemam", "moj", "moja", "moje", "mog", "moju", "tvoj", "tvoja", "hvala", "fala", "zdravo", "bok", "cao", "pozdrav", "dobar", "dobro", "dan", "jutro", "vece", "molim", "pomoc", "pomozi", "pomozite", "hocu", "necu", "zelim", "zelis", "mogu", "mozes", "moze", "ali", "jer", "kad", "kada", "li", "od", "do", "za", "sa", "iz", "po", "bio", "bila", "bilo", "nas", "vas", "njih", "mu", "joj", "ih", "danas", "sutra", "jucer", "juce", "skola", "skole", "skoli", "skolu", "prijava", "prijavu", "prijaviti", "nasilje", "tuku", "udario", "udarila", "nemoj", "jesam", "jeste", "jest", "evo", "eto", "bas", "jos", "vec", "sve", "svi", "samo", "neko", "nesto", "nista", "nikad", "uvijek", "uvek", "tata", "mama", "drug", "drugarica", "nastavnik", "nastavnica", "razred", "djeca", "deca", "dijete", "dete", "ucenik", "ucenica", "bosanski", "bosanskom", "hrvatski", "hrvatskom", "srpski", "srpskom", "nasem", "naski", "latinica", "latinicom", "cirilica", "cirilicom", "kod", "pin", "slucaj", "prijave", "trebam", "treba", "razgovarati", "pricati", "nekim", "nekom", "covjek", "covek", "psiholog", "pedagog", "nego", "vise", "manje"]
)
_EN_WORDS = frozenset(
    ["the", "an", "is", "are", "am", "was", "were", "you", "he", "she", "they", "we", "it", "its", "my", "your", "mine", "to", "of", "in", "at", "and", "or", "but", "not", "dont", "don't", "can", "cant", "can't", "want", "need", "help", "hello", "hi", "hey", "thanks", "thank", "please", "yes", "yeah", "what", "how", "where", "why", "who", "when", "school", "bully", "bullying", "bullied", "report", "someone", "somebody", "do", "does", "did", "have", "has", "this", "that", "with", "from", "about", "will", "would", "there", "here", "today", "yesterday", "english", "speak", "talk", "person", "case", "code", "check", "anonymous", "menu", "friend", "teacher", "class", "hurt", "hit", "kids", "child", "parent", "mom", "dad", "mum", "i'm", "im", "i'd", "i've"]
)


def detect_language(text: str) -> Language | None:
    """English, Bosnian/Croatian/Serbian, or None when the message does not say. Letters
    such as š or č in a capitalised word are a name ("OŠ Uzorak Drvar", "Glamoč"), which
    an English writer types too; they do not decide the language."""
    if detect_script(text) == "cyrillic":
        return "bcs"
    if any(_BCS_LETTERS.search(word) for word in text.split() if not word[:1].isupper()):
        return "bcs"
    words = _WORD.findall(normalize_for_nlu(text))
    bcs = sum(word in _BCS_WORDS for word in words)
    en = sum(word in _EN_WORDS for word in words)
    if bcs == en:
        return None
    return "bcs" if bcs > en else "en"
