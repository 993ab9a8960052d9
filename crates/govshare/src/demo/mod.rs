//! The demo city (示例市): departments, categories, catalogue entries and accounts.

pub mod city;
