// Retail tracking-plan enforcer (benchmark workload): canonical event names,
// numeric money, required properties, normalised emails, a stable dedupe id.
// Deterministic and limited to what RudderStack's sandbox offers.

const CANONICAL_NAMES = {
  'Product Viewed': ['product_viewed', 'Product viewed', 'PRODUCT VIEWED', 'viewed product'],
  'Product Added': ['Added to Cart', 'added_to_cart', 'Added To Cart', 'add-to-cart', 'product_added'],
  'Checkout Started': ['checkout_started', 'Checkout started', 'checkout-started'],
  'Order Completed': ['order_completed', 'Order completed', 'ORDER COMPLETED', 'order-completed'],
};

// Variants differ in case and separators only, so the table is keyed by a folded name.
const fold = (name) => String(name ?? '').trim().toLowerCase().replace(/[\s_-]+/g, ' ');
const EVENT_NAMES = Object.fromEntries(
  Object.entries(CANONICAL_NAMES).flatMap(([name, variants]) => [name, ...variants].map((v) => [fold(v), name])),
);

const REQUIRED = {
  'Product Viewed': ['product_id', 'price'],
  'Product Added': ['product_id', 'price', 'quantity'],
  'Checkout Started': ['cart_id', 'value', 'currency'],
  'Order Completed': ['order_id', 'products', 'currency'],
};

const MONEY = /^\s*(?:[A-Z]{3}\s*)?[$€£]?\s*(-?\d[\d,]*(?:\.\d+)?)\s*(?:[A-Z]{3})?\s*$/;
const cents = (n) => Math.round(n * 100) / 100;

function toMoney(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? cents(value) : null;
  const match = typeof value === 'string' ? MONEY.exec(value) : null;
  return match ? cents(Number(match[1].replaceAll(',', ''))) : null;
}

function toQuantity(value) {
  const n = typeof value === 'number' ? value : Number.parseInt(value ?? '', 10);
  return Number.isInteger(n) && n > 0 ? n : null;
}

// 32-bit FNV-1a over UTF-16 code units: cheap, stable across runtimes.
function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

// The shape of RudderStack tracking-plan violations (context.violationErrors).
const violation = (type, property, message, meta = {}) => ({ type, property, message, meta });

export function transformEvent(event, metadata) {
  if (event.type === 'track' && fold(event.event) === 'heartbeat') return null;

  const violations = [];
  const traits = event.context?.traits;
  if (typeof traits?.email === 'string') traits.email = traits.email.trim().toLowerCase();

  const parsed = Date.parse(event.originalTimestamp ?? '');
  if (Number.isNaN(parsed)) violations.push(violation('Datatype-Mismatch', 'originalTimestamp', 'not a date'));
  else event.originalTimestamp = new Date(parsed).toISOString();

  if (event.type === 'track') {
    const name = EVENT_NAMES[fold(event.event)] ?? event.event;
    const props = { ...event.properties };
    for (const key of ['price', 'value', 'shipping', 'tax']) {
      if (props[key] !== undefined) props[key] = toMoney(props[key]);
    }
    if (props.quantity !== undefined) props.quantity = toQuantity(props.quantity);

    if (Array.isArray(props.products)) {
      props.products = props.products.map((p) => ({ ...p, price: toMoney(p?.price), quantity: toQuantity(p?.quantity) ?? 1 }));
      props.revenue = cents(props.products.reduce((sum, p) => sum + (p.price ?? 0) * p.quantity, 0));
      const total = toMoney(props.total);
      const expected = cents(props.revenue + (props.shipping ?? 0) + (props.tax ?? 0));
      if (total !== null && Math.abs(total - expected) > 0.01) {
        violations.push(violation('Mismatch', 'total', `total ${total} != ${expected}`, { expected }));
      }
      props.total = total ?? expected;
    }

    for (const key of REQUIRED[name] ?? []) {
      if (props[key] === undefined || props[key] === null || props[key] === '') {
        const meta = { instancePath: '/properties', missingProperty: key };
        violations.push(violation('Required-Missing', key, `must have required property '${key}'`, meta));
      }
    }
    if (!(name in REQUIRED)) violations.push(violation('Unplanned-Event', 'event', `unplanned event '${name}'`));

    const dedupeKey = props.order_id ?? metadata(event)?.messageId ?? event.messageId;
    props.event_id = fnv1a(`${name}|${dedupeKey}`);
    event.event = name;
    event.properties = props;
  }

  if (violations.length > 0) {
    event.context = { ...event.context, violationErrors: [...(event.context?.violationErrors ?? []), ...violations] };
    const flat = violations.map((v) => v.property).join(',');
    if (event.type === 'track') event.properties.tp_violations = flat;
    else event.context.tp_violations = flat;
  }
  return event;
}
