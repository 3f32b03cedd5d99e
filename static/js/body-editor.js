// What the article body's visual editor adds to django-prose-editor, which imports this
// module and registers its exports as extensions. Pictures from the media library: the body
// marker of media/body.py, <figure data-media-id="12"></figure>, with an optional
// <figcaption> of the article's own.
import { Link as PackageLink, Node } from "django-prose-editor/editor"

// The package's link under the same name, which the editor then takes in its place: the
// link dialog keeps an empty "Title" as title="", which would otherwise land on every link.
export const Link = PackageLink.extend({
  addAttributes() {
    return {
      ...this.parent?.(),
      title: { default: null, renderHTML: ({ title }) => (title ? { title } : {}) },
    }
  },
})

export const MediaCaption = Node.create({
  name: "mediaCaption",
  content: "inline*",
  parseHTML: () => [{ tag: "figcaption", context: "mediaPicture/" }],
  renderHTML: () => ["figcaption", 0],
})

export const MediaPicture = Node.create({
  name: "mediaPicture",
  group: "block",
  content: "mediaCaption?",
  draggable: true,
  isolating: true,
  addAttributes: () => ({
    mediaId: {
      default: null,
      parseHTML: (element) => element.getAttribute("data-media-id"),
      renderHTML: (attributes) => ({ "data-media-id": attributes.mediaId }),
    },
  }),
  parseHTML: () => [{ tag: "figure[data-media-id]" }],
  renderHTML: ({ HTMLAttributes }) => ["figure", HTMLAttributes, 0],
})

// The button under the editor opens the library's list in the admin's lookup pop-up; the
// pop-up writes the chosen id into a hidden input (RelatedObjectLookups.js) and says so
// with a jQuery "change" event.
const editors = new Map()
document.addEventListener("prose-editor:ready", (event) => {
  const { editor, textarea } = event.detail
  editors.set(textarea.id, editor)
  // The editable area replaces the textarea for screen readers: give it the field's name.
  const label = document.querySelector(`label[for="${textarea.id}"]`)
  if (label) editor.view.dom.setAttribute("aria-label", label.textContent.replace(/:\s*$/, ""))
})

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-insert-picture]")
  if (!link || !window.showRelatedObjectLookupPopup) return
  event.preventDefault()
  const textareaId = link.dataset.insertPicture
  const input = document.getElementById(`${textareaId}_picture`)
  window.django.jQuery(input).off("change").on("change", () => {
    const editor = editors.get(textareaId)
    if (editor && /^\d+$/.test(input.value)) {
      editor.chain().focus().insertContent({ type: "mediaPicture", attrs: { mediaId: input.value } }).run()
    }
    input.value = ""
  })
  window.showRelatedObjectLookupPopup(link)
})
