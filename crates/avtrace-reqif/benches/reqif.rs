//! Export and import throughput on 100,000 synthetic requirements, beside a plain quick-xml
//! event scan of the same bytes (the ceiling any quick-xml reader can reach).
//!
//! `cargo bench -p avtrace-reqif --bench reqif`

use std::sync::LazyLock;

use avtrace_reqif::{ImportOptions, import_reader};
use divan::Bencher;
use divan::counter::BytesCount;
use quick_xml::Reader;
use quick_xml::events::Event;

mod synth;

const N: usize = 100_000;

/// The objects, built once, for the export benchmark that excludes their construction.
static OBJECTS: LazyLock<Vec<avtrace_reqif::SpecObject>> = LazyLock::new(|| synth::objects(N).collect());

/// The exported document, the input of the import and scan benchmarks.
static FILE: LazyLock<Vec<u8>> = LazyLock::new(|| match synth::write(N, Vec::new()) {
    Ok((bytes, _)) => bytes,
    Err(e) => panic!("synthetic export failed: {e}"),
});

fn main() {
    divan::main();
}

/// Export from prepared objects: the writer alone.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn export(bencher: Bencher) {
    let len = FILE.len();
    let objects = &*OBJECTS;
    let spec = synth::specification(N);
    let schema = synth::schema();
    let header = avtrace_reqif::Header::new("Synthetic program", "avtrace bench", synth::CREATED);
    bencher.counter(BytesCount::new(len)).with_inputs(|| Vec::with_capacity(len + 4096)).bench_values(|out| {
        let mut w = avtrace_reqif::ReqifWriter::new(out, &header, &schema).expect("writer");
        for o in objects {
            w.write_object(o).expect("object");
        }
        for r in synth::relations(N) {
            w.write_relation(&r).expect("relation");
        }
        w.write_specification(&spec).expect("specification");
        w.finish().expect("finish").0
    });
}

/// Export that also builds every object on the fly (what a streaming caller pays).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn export_streaming(bencher: Bencher) {
    let len = FILE.len();
    bencher
        .counter(BytesCount::new(len))
        .with_inputs(|| Vec::with_capacity(len + 4096))
        .bench_values(|out| synth::write(N, out).expect("export").0);
}

/// Full import: requirements, headings, relations, hierarchy, XHTML rendered to text.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn import(bencher: Bencher) {
    let file = &*FILE;
    let options = ImportOptions::new();
    bencher.counter(BytesCount::new(file.len())).bench(|| {
        let doc = import_reader(&file[..], "synthetic.reqif", &options).expect("import");
        assert_eq!(doc.requirements.len(), N + synth::CLAUSES);
        doc
    });
}

/// The ceiling: quick-xml events only, no namespaces, nothing kept.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn quick_xml_scan(bencher: Bencher) {
    let file = &*FILE;
    bencher.counter(BytesCount::new(file.len())).bench(|| {
        let mut reader = Reader::from_reader(&file[..]);
        let mut buf = Vec::with_capacity(1 << 16);
        let mut events = 0u64;
        loop {
            buf.clear();
            match reader.read_event_into(&mut buf) {
                Ok(Event::Eof) => break,
                Ok(_) => events += 1,
                Err(e) => panic!("scan failed: {e}"),
            }
        }
        events
    });
}
