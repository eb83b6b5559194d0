"""Date.parse as V8 answers it: ISO 8601 first, then V8's lenient legacy parser.

RudderStack's destination turns timestamps and `createdAt` into unix seconds with
`new Date(value)`, and events carry junk there ("2", "N/A", "1709287200", "usd,,0,"):
V8 reads many of those as dates. This follows the algorithm of V8's DateParser
(src/date/dateparser*.{h,cc}): a tokenizer, an ES5 ISO pass, and the legacy composers
for day, time and time zone. Times without a zone are local; RudderStack runs in UTC.
tests/customerio/v8_dates.json holds V8's own answers for the forms tested.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

K_NONE = 2**31 - 1
MAX_SIGNIFICANT_DIGITS = 9
MAX_TIME_MS = 8.64e15
MAX_TIME_BEFORE_UTC_MS = MAX_TIME_MS + 864_000_000

MONTH, AM_PM, ZONE, TIME_SEPARATOR, INVALID = "month", "ampm", "zone", "t", "invalid"
KEYWORDS = [
    *[(name, MONTH, index) for index, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)],
    ("am\0", AM_PM, 0), ("pm\0", AM_PM, 12), ("ut\0", ZONE, 0), ("utc", ZONE, 0), ("z\0\0", ZONE, 0),
    ("gmt", ZONE, 0), ("cdt", ZONE, -5), ("cst", ZONE, -6), ("edt", ZONE, -4), ("est", ZONE, -5),
    ("mdt", ZONE, -6), ("mst", ZONE, -7), ("pdt", ZONE, -7), ("pst", ZONE, -8), ("t\0\0", TIME_SEPARATOR, 0),
]
# ECMAScript WhiteSpace; LINE_TERMINATORS are skipped too, but do not end a word.
WHITESPACE = frozenset("\t\v\f \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                       "\u202f\u205f\u3000\ufeff")
LINE_TERMINATORS = frozenset("\n\r\u2028\u2029")


@dataclass
class Token:
    kind: str  # number | symbol | space | keyword | end | unknown | invalid
    value: int = 0
    length: int = 0
    symbol: str = ""
    keyword: str = INVALID

    def is_number(self, length: int | None = None) -> bool:
        return self.kind == "number" and (length is None or self.length == length)

    def is_symbol(self, char: str) -> bool:
        return self.kind == "symbol" and self.symbol == char

    def is_sign(self) -> bool:
        return self.kind == "symbol" and self.symbol in "+-"

    def is_keyword_z(self) -> bool:
        return self.kind == "keyword" and self.keyword == ZONE and self.length == 1 and self.value == 0


class _Scanner:
    def __init__(self, text: str) -> None:
        # V8 reads UTF-16 code units.
        self.units = text.encode("utf-16-le", "surrogatepass")
        self.count = len(self.units) // 2
        self.position = 0
        self.next_token = self._scan()

    def _char(self) -> int:
        if self.position >= self.count:
            return 0
        return int.from_bytes(self.units[2 * self.position:2 * self.position + 2], "little")

    def _scan(self) -> Token:
        start = self.position
        ch = self._char()
        if self.position >= self.count:
            return Token("end")
        if 0x30 <= ch <= 0x39:
            value = 0
            while self._char() == 0x30 and self.position < self.count:
                self.position += 1
            digits = 0
            while self.position < self.count and 0x30 <= self._char() <= 0x39:
                if digits < MAX_SIGNIFICANT_DIGITS:
                    value = value * 10 + self._char() - 0x30
                digits += 1
                self.position += 1
            return Token("number", value, self.position - start)
        if chr(ch) in ":-+.)":
            self.position += 1
            return Token("symbol", symbol=chr(ch))
        if ch >= 0x41 and chr(ch) not in WHITESPACE:
            prefix: list[int] = []
            length = 0
            while self.position < self.count and self._char() >= 0x41 and chr(self._char()) not in WHITESPACE:
                if length < 3:
                    prefix.append(self._char() | 0x20)
                length += 1
                self.position += 1
            prefix += [0] * (3 - len(prefix))
            for word, kind, value in KEYWORDS:
                if [ord(c) for c in word] == prefix and (length <= 3 or kind == MONTH):
                    return Token("keyword", value, length, keyword=kind)
            return Token("keyword", 0, length, keyword=INVALID)
        if chr(ch) in WHITESPACE or chr(ch) in LINE_TERMINATORS:
            self.position += 1
            return Token("space", length=1)
        if ch == 0x28:  # parenthesised text is a comment
            balance = 0
            while True:
                c = self._char()
                if c == 0x29:
                    balance -= 1
                elif c == 0x28:
                    balance += 1
                self.position += 1
                if not (balance > 0 and self.position < self.count and self._char() != 0):
                    break
            return Token("unknown")
        self.position += 1
        return Token("unknown")

    def peek(self) -> Token:
        return self.next_token

    def next(self) -> Token:
        token = self.next_token
        self.next_token = self._scan()
        return token

    def skip_symbol(self, char: str) -> bool:
        if self.next_token.is_symbol(char):
            self.next()
            return True
        return False


class _Day:
    def __init__(self) -> None:
        self.comp: list[int] = []
        self.named_month = K_NONE
        self.iso = False

    def add(self, n: int) -> bool:
        if len(self.comp) == 3:
            return False
        self.comp.append(n)
        return True

    def write(self) -> tuple[int, int, int] | None:
        if not self.comp:
            return None
        comp = self.comp + [1] * (3 - len(self.comp))
        year = 0
        if self.named_month == K_NONE:
            if self.iso or not 1 <= comp[0] <= 31:
                year, month, day = comp
            else:
                month, day, year = comp
        else:
            month = self.named_month
            if not 1 <= comp[0] <= 31:
                year, day = comp[0], comp[1]
            else:
                day, year = comp[0], comp[1]
        if not self.iso:
            if 0 <= year <= 49:
                year += 2000
            elif 50 <= year <= 99:
                year += 1900
        if not (-(2**30) <= year < 2**30) or not 1 <= month <= 12 or not 1 <= day <= 31:
            return None
        return year, month - 1, day


class _Time:
    def __init__(self) -> None:
        self.comp: list[int] = []
        self.hour_offset = K_NONE

    def empty(self) -> bool:
        return not self.comp

    def expecting(self, n: int) -> bool:
        index = len(self.comp)
        return (index == 1 and 0 <= n <= 59) or (index == 2 and 0 <= n <= 59) or (index == 3 and 0 <= n <= 999)

    def add(self, n: int) -> bool:
        if len(self.comp) >= 4:
            return False
        self.comp.append(n)
        return True

    def add_final(self, n: int) -> bool:
        if not self.add(n):
            return False
        self.comp += [0] * (4 - len(self.comp))
        return True

    def write(self) -> tuple[int, int, int, int] | None:
        hour, minute, second, ms = self.comp + [0] * (4 - len(self.comp))
        if self.hour_offset != K_NONE:
            if not 0 <= hour <= 12:
                return None
            hour = hour % 12 + self.hour_offset
        valid = 0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59 and 0 <= ms <= 999
        if not valid and (hour != 24 or minute or second or ms):  # 24:00:00.000 is allowed
            return None
        return hour, minute, second, ms


class _Zone:
    def __init__(self) -> None:
        self.sign = K_NONE
        self.hour = K_NONE
        self.minute = K_NONE

    def set(self, offset_hours: int) -> None:
        self.sign = -1 if offset_hours < 0 else 1
        self.hour = offset_hours * self.sign
        self.minute = 0

    def expecting(self, n: int) -> bool:
        return self.hour != K_NONE and self.minute == K_NONE and 0 <= n <= 59

    def is_utc(self) -> bool:
        return self.hour == 0 and self.minute == 0

    def write(self) -> float | None:
        if self.sign == K_NONE:
            return math.nan
        hour = 0 if self.hour == K_NONE else self.hour
        minute = 0 if self.minute == K_NONE else self.minute
        total = (hour * 3600 + minute * 60) % 2**32
        if total > 2**30 - 1:
            return None
        return float(-total if self.sign < 0 else total)


def _milliseconds(token: Token) -> int:
    number, length = token.value, token.length
    if length == 1:
        return number * 100
    if length == 2:
        return number * 10
    if length > 3:
        length = min(length, MAX_SIGNIFICANT_DIGITS)
        return number // int(10 ** (length - 3))
    return number


def _es5(scanner: _Scanner, day: _Day, time: _Time, zone: _Zone) -> Token:
    """The ES5 ISO pass; returns the first token it did not handle (end when it read all)."""
    if scanner.peek().is_sign():
        sign_token = scanner.next()
        if not scanner.peek().is_number(6):
            return sign_token
        sign = -1 if sign_token.symbol == "-" else 1
        year = scanner.next().value
        if sign < 0 and year == 0:
            return sign_token
        day.add(sign * year)
    elif scanner.peek().is_number(4):
        day.add(scanner.next().value)
    else:
        return scanner.next()
    if scanner.skip_symbol("-"):
        if not scanner.peek().is_number(2) or not 1 <= scanner.peek().value <= 12:
            return scanner.next()
        day.add(scanner.next().value)
        if scanner.skip_symbol("-"):
            if not scanner.peek().is_number(2) or not 1 <= scanner.peek().value <= 31:
                return scanner.next()
            day.add(scanner.next().value)
    if not (scanner.peek().kind == "keyword" and scanner.peek().keyword == TIME_SEPARATOR):
        if scanner.peek().kind != "end":
            return scanner.next()
    else:
        scanner.next()
        if not scanner.peek().is_number(2) or not 0 <= scanner.peek().value <= 24:
            return Token("invalid")
        hour_is_24 = scanner.peek().value == 24
        time.add(scanner.next().value)
        if not scanner.skip_symbol(":"):
            return Token("invalid")
        if not scanner.peek().is_number(2) or not 0 <= scanner.peek().value <= 59 or (
                hour_is_24 and scanner.peek().value > 0):
            return Token("invalid")
        time.add(scanner.next().value)
        if scanner.skip_symbol(":"):
            if not scanner.peek().is_number(2) or not 0 <= scanner.peek().value <= 59 or (
                    hour_is_24 and scanner.peek().value > 0):
                return Token("invalid")
            time.add(scanner.next().value)
            if scanner.skip_symbol("."):
                if not scanner.peek().is_number() or (hour_is_24 and scanner.peek().value > 0):
                    return Token("invalid")
                time.add(_milliseconds(scanner.next()))
        if scanner.peek().is_keyword_z():
            scanner.next()
            zone.set(0)
        elif scanner.peek().is_sign():
            zone.sign = 1 if scanner.next().symbol == "+" else -1
            if scanner.peek().is_number(4):
                hourmin = scanner.next().value
                hour, minute = hourmin // 100, hourmin % 100
                if not (0 <= hour <= 23 and 0 <= minute <= 59):
                    return Token("invalid")
                zone.hour, zone.minute = hour, minute
            else:
                if not scanner.peek().is_number(2) or not 0 <= scanner.peek().value <= 23:
                    return Token("invalid")
                zone.hour = scanner.next().value
                if not scanner.skip_symbol(":"):
                    return Token("invalid")
                if not scanner.peek().is_number(2) or not 0 <= scanner.peek().value <= 59:
                    return Token("invalid")
                zone.minute = scanner.next().value
        if scanner.peek().kind != "end":
            return Token("invalid")
    if zone.hour == K_NONE and time.empty():
        zone.set(0)
    day.iso = True
    return Token("end")


def _parse(text: str) -> tuple[tuple[int, int, int], tuple[int, int, int, int], float] | None:
    scanner = _Scanner(text)
    day, time, zone = _Day(), _Time(), _Zone()
    token = _es5(scanner, day, time, zone)
    if token.kind == "invalid":
        return None
    has_number = bool(day.comp)
    while token.kind != "end":
        if token.kind == "number":
            has_number = True
            n = token.value
            if scanner.skip_symbol(":"):
                if scanner.skip_symbol(":"):
                    if not time.empty():
                        return None
                    time.add(n)
                    time.add(0)
                else:
                    if not time.add(n):
                        return None
                    if scanner.peek().is_symbol("."):
                        scanner.next()
            elif scanner.skip_symbol(".") and time.expecting(n):
                # (V8 consumes the '.' even when the number is not a time.)
                time.add(n)
                if not scanner.peek().is_number():
                    return None
                time.add_final(_milliseconds(scanner.next()))
            elif zone.expecting(n):
                zone.minute = n
            elif time.expecting(n):
                time.add_final(n)
                peek = scanner.peek()
                if not (peek.kind in ("end", "space") or peek.is_keyword_z() or peek.is_sign()):
                    return None
            else:
                if not day.add(n):
                    return None
                scanner.skip_symbol("-")
        elif token.kind == "keyword":
            if token.keyword == AM_PM and not time.empty():
                time.hour_offset = token.value
            elif token.keyword == MONTH:
                day.named_month = token.value
                scanner.skip_symbol("-")
            elif token.keyword == ZONE and has_number:
                zone.set(token.value)
            else:
                if has_number or scanner.peek().is_number():
                    return None
        elif token.is_sign() and (zone.is_utc() or not time.empty()):
            zone.sign = -1 if token.symbol == "-" else 1
            n = length = 0
            if scanner.peek().is_number():
                number = scanner.next()
                n, length = number.value, number.length
            has_number = True
            if scanner.peek().is_symbol(":"):
                zone.hour, zone.minute = n, K_NONE
            elif length in (1, 2):
                zone.hour, zone.minute = n, 0
            elif length in (3, 4):
                zone.hour, zone.minute = n // 100, n % 100
            else:
                return None
        elif (token.is_sign() or token.is_symbol(")")) and has_number:
            return None
        token = scanner.next()
    ymd, hms, offset = day.write(), time.write(), zone.write()
    if ymd is None or hms is None or offset is None:
        return None
    return ymd, hms, offset


def _make_day(year: int, month: int, day: int) -> float:
    year += month // 12
    month %= 12
    if abs(year) > 400_000:
        return math.nan
    # Days from 1970-01-01 to the first of the month (proleptic Gregorian).
    y = year - (1 if month < 2 else 0)
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = (month + 10) % 12  # March = 0
    doy = (153 * mp + 2) // 5
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return float(era * 146097 + doe - 719468 + day - 1)


def parse(text: str) -> float:
    """Date.parse(text) in V8, local time being UTC; NaN when V8 says Invalid Date."""
    parsed = _parse(text)
    if parsed is None:
        return math.nan
    (year, month, day), (hour, minute, second, ms), offset = parsed
    date = _make_day(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms
    if math.isnan(offset):
        if abs(date) > MAX_TIME_BEFORE_UTC_MS:
            return math.nan
    else:
        date -= offset * 1000
    if not math.isfinite(date) or abs(date) > MAX_TIME_MS:
        return math.nan
    return float(math.trunc(date)) + 0.0
