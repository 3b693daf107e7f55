//! ReqIF 1.2 reader and writer (in progress).
