/** The write part, loaded at start beside the thread (not before the first paint): the comment form,
 * replies, posting, the preview, and editing or deleting one's own comments. */

export { buildForm, openReply } from "./form";
export { addOwnControls } from "./own";
