//! `arrears run` and `arrears explain` on the shipped policy and sample.
