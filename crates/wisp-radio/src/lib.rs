//! wisp-radio
