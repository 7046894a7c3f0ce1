/** The actions part, loaded at a reader's first click on a like or for more of the thread. */

export { likeArticle, likeComment, refreshLikes } from "./likes";
export { changeSort, locate, morePages, moreReplies } from "./more";
