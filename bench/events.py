"""Deterministic synthetic RudderStack web events for the runtime benchmark."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

_START = datetime(2024, 5, 1, tzinfo=timezone.utc)
_LIBRARY = {"name": "RudderLabs JavaScript SDK", "version": "3.7.6"}
_USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
_FIRST = ("Ana", "Ben", "Chloé", "Dev", "Emma", "Farid", "Grace", "Hiro", "Inès", "Jonas", "Kofi", "Lena")
_LAST = ("Smith", "García", "Okafor", "Nguyen", "Müller", "Rossi", "Kim", "Dubois", "Silva", "Larsen")
_DOMAINS = ("example.com", "Mail.Example.org", "shop.test", "EXAMPLE.NET")
_CATEGORIES = ("Shoes", "Outerwear", "Bags", "Accessories", "Knitwear", "Denim")
_CITIES = (("Berlin", "DE"), ("Lyon", "FR"), ("Austin", "US"), ("Leeds", "GB"))
_PAGES = ("/", "/collections/new", "/collections/sale", "/cart", "/account", "/help/shipping")

# Casing and separator variants a tracking plan sees from several SDK call sites.
_VIEWED = ("Product Viewed", "Product Viewed", "product_viewed", "Product viewed", "PRODUCT VIEWED")
_ADDED = ("Added to Cart", "added_to_cart", "Added To Cart", "Product Added", "add-to-cart")
_CHECKOUT = ("Checkout Started", "checkout_started", "Checkout started")
_ORDER = ("Order Completed", "order_completed", "Order completed", "ORDER COMPLETED")
_UNPLANNED = ("Wishlist Shared", "size_guide_opened", "Coupon Applied")


class _User:
    """A visitor: a stable anonymousId, and for most a login and an email typed carelessly."""

    def __init__(self, rng: random.Random, index: int) -> None:
        self.anonymous_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.user_id = f"user_{index:06d}" if rng.random() < 0.6 else None
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        email = f"{first}.{last}{index}@{rng.choice(_DOMAINS)}"
        # Mixed case and stray spaces are what the enforcer's email normalisation is for.
        self.email = rng.choice((email, email.upper(), f"  {email} ", f"{email}\t"))
        self.name = f"{first} {last}"
        self.ip = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _money(rng: random.Random, amount: float) -> Any:
    """An amount the way several clients send it: a number or one of the common string forms."""
    form = rng.randrange(6)
    if form == 0:
        return round(amount, 2)
    if form == 1:
        return f"${amount:.2f}"
    if form == 2:
        return f"{amount:,.2f}"
    if form == 3:
        return f"USD {amount:.2f}"
    if form == 4:
        return f"{amount:.2f}"
    return f"{amount:.2f} USD"


def _timestamp(rng: random.Random, moment: datetime) -> str:
    """ISO 8601 in the shapes SDKs emit; a rare garbage value exercises the violation path."""
    roll = rng.random()
    if roll < 0.005:
        return "not-a-timestamp"
    if roll < 0.1:
        local = moment.astimezone(timezone(timedelta(hours=2)))
        return local.isoformat(timespec="milliseconds")
    if roll < 0.2:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return _iso(moment)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _product(rng: random.Random, sku: int) -> dict[str, Any]:
    price = rng.choice((9.99, 12.5, 19.0, 24.95, 49.0, 89.9, 129.0, 1299.5)) * rng.choice((1, 1, 1, 0.8))
    return {
        "product_id": f"SKU-{sku:05d}",
        "name": f"{rng.choice(_CATEGORIES)} item {sku}",
        "category": rng.choice(_CATEGORIES),
        "price": _money(rng, price),
        "quantity": rng.choice((1, 1, 1, 2, 3, "1", "2")),
    }


def _drop_one(rng: random.Random, props: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Forget a required property now and then, as real clients do."""
    if rng.random() < 0.03:
        props.pop(rng.choice(keys), None)


def _track_properties(rng: random.Random, index: int) -> tuple[str, dict[str, Any]]:
    roll = rng.random()
    sku = rng.randrange(20000)
    if roll < 0.42:
        product = _product(rng, sku)
        product.pop("quantity")
        product["url"] = f"https://shop.example.com/p/{product['product_id'].lower()}"
        _drop_one(rng, product, ("product_id", "price"))
        return rng.choice(_VIEWED), product
    if roll < 0.64:
        product = _product(rng, sku)
        product["cart_id"] = f"cart_{index // 7:07d}"
        _drop_one(rng, product, ("product_id", "price", "quantity"))
        return rng.choice(_ADDED), product
    if roll < 0.76:
        value = round(rng.uniform(10, 600), 2)
        props = {"cart_id": f"cart_{index // 7:07d}", "value": _money(rng, value), "currency": "USD"}
        props["coupon"] = rng.choice(("", "SPRING10", "FREESHIP"))
        _drop_one(rng, props, ("cart_id", "value", "currency"))
        return rng.choice(_CHECKOUT), props
    if roll < 0.96:
        products = [_product(rng, rng.randrange(20000)) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        shipping = rng.choice((0.0, 4.95, 9.9))
        subtotal = 0.0
        for p in products:
            price = float(str(p["price"]).replace("USD", "").replace("$", "").replace(",", ""))
            subtotal += round(price, 2) * int(p["quantity"])
        tax = round(subtotal * 0.07, 2)
        # A rare wrong total is the tracking plan's Mismatch violation.
        total = subtotal + shipping + tax + (5.0 if rng.random() < 0.02 else 0.0)
        props = {
            "order_id": f"ORD-{index:08d}",
            "currency": "USD",
            "shipping": _money(rng, shipping),
            "tax": _money(rng, tax),
            "total": _money(rng, total),
            "coupon": rng.choice(("", "SPRING10")),
            "products": products,
        }
        _drop_one(rng, props, ("order_id", "currency"))
        return rng.choice(_ORDER), props
    if roll < 0.99:
        return rng.choice(_UNPLANNED), {"product_id": f"SKU-{sku:05d}", "source": rng.choice(("pdp", "plp", "cart"))}
    return rng.choice(("heartbeat", "Heartbeat")), {"interval_ms": 30000}


def _event(rng: random.Random, index: int, user: _User, moment: datetime) -> dict[str, Any]:
    roll = rng.random()
    kind = "track" if roll < 0.9 else "identify" if roll < 0.95 else "page"
    path = rng.choice(_PAGES)
    event: dict[str, Any] = {
        "type": kind,
        "messageId": f"{uuid.UUID(int=rng.getrandbits(128), version=4)!s:.24}{index:012x}",
        "anonymousId": user.anonymous_id,
        "channel": "web",
        "context": {
            "library": _LIBRARY,
            "traits": {"email": user.email} if user.user_id else {},
            "ip": user.ip,
            "userAgent": _USER_AGENT,
            "locale": rng.choice(("en-US", "en-GB", "de-DE", "fr-FR")),
            "page": {"path": path, "url": f"https://shop.example.com{path}"},
        },
        "integrations": {"All": True},
        "originalTimestamp": _timestamp(rng, moment),
        "sentAt": _iso(moment + timedelta(milliseconds=rng.randint(1, 30))),
        "receivedAt": _iso(moment + timedelta(milliseconds=rng.randint(40, 900))),
    }
    if user.user_id:
        event["userId"] = user.user_id
    if kind == "track":
        event["event"], event["properties"] = _track_properties(rng, index)
    elif kind == "identify":
        event["userId"] = user.user_id or f"user_new_{index:06d}"
        city, country = rng.choice(_CITIES)
        event["context"]["traits"] = {
            "email": user.email,
            "name": user.name,
            "plan": rng.choice(("free", "member", "vip")),
            "createdAt": "2023-11-02T09:14:00.000Z",
            "address": {"city": city, "country": country},
        }
    else:
        event["name"] = path.strip("/") or "home"
        event["properties"] = {
            "path": path,
            "title": f"Shop — {event['name']}",
            "url": f"https://shop.example.com{path}",
        }
    return event


def generate(count: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield `count` events from a fixed seed, in send order; the same arguments give the same events."""
    rng = random.Random(seed)
    users = [_User(rng, i) for i in range(max(count // 20, 1))]
    moment = _START
    for index in range(count):
        moment += timedelta(milliseconds=rng.randint(5, 400))
        yield _event(rng, index, rng.choice(users), moment)
