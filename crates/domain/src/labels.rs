//! A macro for the catalogue's enumerations: each value has a stable English code (used in the
//! JSON API), a Chinese label (used in spreadsheets and pages) and, where the guide numbers
//! them, a numeric code. Parsing accepts any of the three.

/// Defines an enum whose values parse from their English code, Chinese label or number.
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal $(, $alias:literal)*) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in the guide's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What the enumeration is called, in Chinese (for error messages).
            pub const WHAT: &'static str = $what;

            /// The stable English code used in the JSON API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label of the compilation guide.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses an English code, a Chinese label or a known alias (such as the guide's number).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                $(
                    if s.eq_ignore_ascii_case($code) || s == $label $(|| s == $alias)* {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// The accepted values, for error messages.
            pub fn expected() -> String {
                [$($label),+].join("、")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::error::ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s).ok_or_else(|| $crate::error::ParseEnumError {
                    what: $what,
                    value: s.to_string(),
                    expected: $name::expected(),
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use labelled_enum;
