export function transformEvent(event) {
  const x = ;
  return event;
}
