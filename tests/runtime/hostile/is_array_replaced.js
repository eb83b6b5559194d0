Array.isArray = () => true;
export function transformEvent(event) {
  return event;
}
