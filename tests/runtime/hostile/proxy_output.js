export function transformEvent(event) {
  return new Proxy(event, {});
}
