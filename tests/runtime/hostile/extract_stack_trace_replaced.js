globalThis.extractStackTrace = () => 'forged';
export function transformEvent(event) {
  throw new Error('kaboom');
}
