import { helper } from "myLibrary";
export function transformEvent(event) {
  return helper(event);
}
