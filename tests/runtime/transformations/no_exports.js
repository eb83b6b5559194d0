export function notATransformation(event) {
  return event;
}
