//! Typed indices. Every cross-reference in the model is one of these, never a string, so
//! hot loops compare integers and a dangling reference cannot be represented.

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for slicing.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The index of position `i`.
            ///
            /// # Panics
            /// If `i` does not fit in 32 bits: the model holds at most 2^32 - 1 items of a kind.
            #[inline]
            pub fn new(i: usize) -> Self {
                Self(u32::try_from(i).expect("model holds fewer than 2^32 items of a kind"))
            }
        }
    };
}

index_type!(
    /// Index of an [`crate::Instrument`] in [`crate::Catalog::instruments`].
    InstrumentIx
);
index_type!(
    /// Index of a [`crate::Clause`] in [`crate::Catalog::clauses`].
    ClauseIx
);
index_type!(
    /// Index of a [`crate::Mapping`] in [`crate::Catalog::mappings`].
    MappingIx
);
index_type!(
    /// Index of a [`crate::Market`] in [`crate::Catalog::markets`].
    MarketIx
);
index_type!(
    /// Index of a [`crate::Requirement`] in [`crate::Program::requirements`].
    ReqIx
);
index_type!(
    /// Index of a source file in the loader's source map; the model only carries it so
    /// that later stages can point at where an item was defined.
    FileIx
);

/// Where an item was written: a file and a byte range in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file, as numbered by the loader's source map.
    pub file: u32,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span of `range` in `file`; offsets past 4 GiB are clamped (files that large are
    /// refused before they get here).
    pub fn new(file: FileIx, range: std::ops::Range<usize>) -> Self {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Span { file: file.0, start: clamp(range.start), end: clamp(range.end) }
    }

    /// The file this span lies in.
    pub fn file(self) -> FileIx {
        FileIx(self.file)
    }

    /// The byte range.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}
