// The photos of an execution update in the admin form: one image field per photo and an empty one
// to add the next, up to MAX_PHOTOS. Each field keeps its key from empty to uploaded, so its status
// and its alt text input stay where the person is working.
import type { ImageValue } from "@shared/ui/image";

/** Photos one update may carry (aj74.polls.state.MAX_PHOTOS). */
export const MAX_PHOTOS = 6;

export type PhotoSlot = { key: number; value: ImageValue | null };

/** The update form's error keys: a photo's alt text before the photo itself (`photos.0.id`). */
export const UPDATE_KEYS: readonly string[] = ["date", "text", "links",
  ...Array.from({ length: MAX_PHOTOS }, (_, i) => [`photos.${i}.alt`, `photos.${i}`]).flat(), "photos"];

/** The slots after the field `key` changed to `value` (null: the photo was removed): filled slots
 * in order, then one empty slot (the one already there, else a new key) while there is room. */
export function withPhoto(slots: readonly PhotoSlot[], key: number, value: ImageValue | null,
  newKey: () => number): PhotoSlot[] {
  const kept = slots.map((s) => (s.key === key ? { key, value } : s)).filter((s) => s.value);
  if (kept.length >= MAX_PHOTOS) return kept;
  return [...kept, slots.find((s) => !s.value && s.key !== key) ?? { key: newKey(), value: null }];
}

/** The photos the slots hold, in order. */
export function photosOf(slots: readonly PhotoSlot[]): ImageValue[] {
  return slots.flatMap((s) => (s.value ? [s.value] : []));
}
