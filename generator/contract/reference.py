"""Reference data the generated code carries: phone numbering plans and IANA time zone names.

A RudderStack transformation cannot import a library, so what `type: phone` and
`type: timezone` need travels inside the generated file. The data is committed
(`generator/contract/data/*.json`) so every machine renders the same bytes, and is
derived from well-kept sources: Google's libphonenumber metadata (the `phonenumbers`
package) and the IANA time zone database (the `tzdata` package), at the versions pinned
in pyproject.toml's dev extra. `python -m generator.contract.reference` rewrites the files;
a test fails when they drift from those packages.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
PHONE_FILE = DATA / "phone.json"
TIMEZONE_FILE = DATA / "timezones.json"


@functools.cache
def phone_plans() -> dict[str, Any]:
    """{"regions": {REGION: [calling code, international prefix, national prefix, its rewrite, national
    number pattern, possible lengths, local-only lengths]}, "main": {calling code: REGION},
    "extension": the pattern of an extension}."""
    return json.loads(PHONE_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@functools.cache
def timezones() -> list[str]:
    """Every IANA zone name, links included, sorted."""
    return json.loads(TIMEZONE_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _plan(metadata: Any) -> list[Any]:
    """What parsing reads of one region's metadata (patterns as JavaScript source)."""
    general = metadata.general_desc
    rewrite = metadata.national_prefix_transform_rule or ""
    return [
        metadata.country_code,
        metadata.international_prefix or "",
        metadata.national_prefix_for_parsing or "",
        re.sub(r"\\(\d)", r"$\1", rewrite),  # Python's \1 is JavaScript's $1
        general.national_number_pattern or "",
        sorted(set(general.possible_length or ())),
        sorted(set(general.possible_length_local_only or ())),
    ]


def phone_data_from_phonenumbers() -> dict[str, Any]:
    """The numbering plans from libphonenumber's metadata: what its parser reads.

    `regions` holds every region by its code, and the non-geographic calling codes
    (international freephone +800 and the like) as "+800"; `main` maps each calling code
    to the region whose plan numbers with that code follow, as libphonenumber picks it.
    """
    import phonenumbers
    from phonenumbers import PhoneMetadata

    regions: dict[str, Any] = {}
    main: dict[str, str] = {}
    for code, owners in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items()):
        for region in owners:
            if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
                metadata = PhoneMetadata.metadata_for_nongeo_region(code)
                region = f"+{code}"
            else:
                metadata = PhoneMetadata.metadata_for_region(region)
            if metadata is None:
                continue
            regions[region] = _plan(metadata)
            main.setdefault(str(code), region)
    # How extensions are written ("ext. 12", "x12", ",,12", "4557#"): libphonenumber keeps the
    # pattern in a private name; a refresh that cannot find it fails loudly.
    from phonenumbers import phonenumberutil

    extension = phonenumberutil._EXTN_PATTERNS_FOR_PARSING
    return {
        "source": f"phonenumbers {phonenumbers.__version__}", "regions": regions, "main": main,
        "extension": extension,
    }


def timezone_data_from_tzdata() -> list[str]:
    """Every zone name the tzdata package ships (zones and links)."""
    from importlib import resources

    names: list[str] = []
    root = resources.files("tzdata") / "zoneinfo"

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            name = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, f"{name}/")
            elif child.name[:1].isupper() and "." not in child.name and name != "Factory":
                names.append(name)

    walk(root, "")
    return sorted(names)


def refresh() -> list[Path]:
    """Rewrite the data files from the installed phonenumbers and tzdata."""
    DATA.mkdir(exist_ok=True)
    written = []
    for path, data in ((PHONE_FILE, phone_data_from_phonenumbers()), (TIMEZONE_FILE, timezone_data_from_tzdata())):
        text = json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    phone_plans.cache_clear()
    timezones.cache_clear()
    return written


if __name__ == "__main__":
    for path in refresh():
        print(f"wrote {path}")
    sys.exit(0)
