/** The write part, loaded at start beside the thread (not before the first paint): the comment form,
 * replies, posting, the preview, editing or deleting one's own comments, and the reader's own state
 * (likes, held and refused comments). */

export { buildForm, openReply } from "./form";
export { markHeld } from "./held";
export { addOwnControls } from "./own";
export { markViewer, readViewer } from "./viewer";
