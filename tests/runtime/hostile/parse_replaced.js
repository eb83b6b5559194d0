JSON.parse = () => ({});
export function transformEvent(event) {
  return event;
}
