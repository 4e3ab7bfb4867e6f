//! `arrears check`: clean policies pass; broken ones get every problem, placed and explained.
