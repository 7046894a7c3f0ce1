/** The actions part, loaded when the browser is idle after the first paint (so that a click does not wait
 * for it): likes, the sort order, more pages and replies, reporting a comment and the author's appeal,
 * images in the form, the moderators' warning, and live updates. One file rather than three: all of it is
 * requested in the same idle callback, and one stream compresses better than three (issue #12). */

export { attach } from "./images";
export { likeArticle, likeComment, refreshLikes } from "./likes";
export { follow } from "./live";
export { changeSort, locate, morePages, moreReplies } from "./more";
export { appeal, report } from "./report";
export { showWarning } from "./warning";
