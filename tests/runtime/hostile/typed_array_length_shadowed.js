export function transformEvent(event) {
  const bytes = new Uint8Array(3);
  Object.defineProperty(bytes, 'length', { value: 1 });
  event.bytes = bytes;
  return event;
}
