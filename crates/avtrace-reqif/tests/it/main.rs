//! Integration tests of avtrace-reqif, in one binary (one link step, shared helpers).

mod external;
mod fixture;
mod hostile;
mod negative;
mod roundtrip;
mod samples;
mod tools;
