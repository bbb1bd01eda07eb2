// The execution update form's photos (admin): one field per photo plus an empty one while there is
// room, fields keep their keys, and the API's 422 paths land on the photo (or its alt text) named.
import { describe, expect, it } from "vitest";
import { MAX_PHOTOS, UPDATE_KEYS, photosOf, withPhoto, type PhotoSlot } from "../admin/src/parts/polls/executionPhotos";
import { formErrors } from "../admin/src/parts/polls/Execution";
import { ApiError } from "../shared/problems";

const photo = (id: string) => ({ id, url: `https://cdn/media/${id}`, alt: `Фото ${id}` });

function counter(start: number) {
  let next = start;
  return () => next++;
}

describe("execution update photos", () => {
  it("turns the empty field into the photo and offers a new empty field", () => {
    const slots = withPhoto([{ key: 0, value: null }], 0, photo("A"), counter(1));
    expect(slots).toEqual([{ key: 0, value: photo("A") }, { key: 1, value: null }]);
    expect(photosOf(slots)).toEqual([photo("A")]);
  });

  it("removes a photo and keeps the empty field there was", () => {
    const slots: PhotoSlot[] = [{ key: 0, value: photo("A") }, { key: 1, value: photo("B") }, { key: 2, value: null }];
    const after = withPhoto(slots, 0, null, counter(3));
    expect(after).toEqual([{ key: 1, value: photo("B") }, { key: 2, value: null }]);
  });

  it("edits a photo's alt text in place", () => {
    const slots: PhotoSlot[] = [{ key: 4, value: photo("A") }, { key: 5, value: null }];
    const after = withPhoto(slots, 4, { ...photo("A"), alt: "Фонари" }, counter(6));
    expect(after).toEqual([{ key: 4, value: { ...photo("A"), alt: "Фонари" } }, { key: 5, value: null }]);
  });

  it("offers no empty field once the update has the most photos it may carry", () => {
    let slots: PhotoSlot[] = [{ key: 0, value: null }];
    const keys = counter(1);
    for (let i = 0; i < MAX_PHOTOS; i++) slots = withPhoto(slots, slots[slots.length - 1].key, photo(`P${i}`), keys);
    expect(slots).toHaveLength(MAX_PHOTOS);
    expect(photosOf(slots).map((p) => p.id)).toEqual(["P0", "P1", "P2", "P3", "P4", "P5"]);
    expect(withPhoto(slots, slots[2].key, null, keys)).toHaveLength(MAX_PHOTOS); // five photos and an empty field
  });

  it("places the API's refusal beside the photo or its alt text", () => {
    const refusal = new ApiError("Изображение не найдено: загрузите его заново.", 422, [
      { field: "photos.1.id", detail: "изображение не найдено: загрузите его заново" },
      { field: "photos.0.alt", detail: "заполните описание" },
      { field: "photos", detail: "не больше 6" }]);
    expect(formErrors(refusal, UPDATE_KEYS).fields).toEqual({
      "photos.1": "изображение не найдено: загрузите его заново", "photos.0.alt": "заполните описание",
      photos: "не больше 6" });
  });
});
