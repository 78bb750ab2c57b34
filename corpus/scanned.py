"""Scanned renderings for the OCR tests and benchmark: image-only PDFs made from text PDFs.

``scan_pdf`` renders every page of a PDF to a grey image (200-300 dpi), turns it a
little (skew), sprinkles dark and light specks (noise) and wraps the images as an
image-only PDF, as a flatbed scanner would. ``scan_gold_set`` does that for gold
documents of ``corpus/sample`` and copies their gold records, so ``arkiv eval``
scores the scans next to the text versions. ``typewriter_agenda`` writes a 1990s
agenda set in Courier with uneven inking, as a scan.

    python -m corpus.scanned OUT [--count N] [--dpi 200]   # OUT/text and OUT/scanned, each with gold
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path
from typing import Any

GOLD_SUFFIX = ".gold.json"
SAMPLE = Path(__file__).resolve().parent / "sample"


def scan_pdf(
    source: Path, target: Path, *, dpi: int = 200, skew: float = 0.6, noise: float = 0.0005, seed: int = 0
) -> int:
    """Write ``target`` as an image-only PDF of ``source``'s pages; returns the page count."""
    import pypdfium2 as pdfium

    rng = random.Random(seed)
    images: list[Any] = []
    pdf = pdfium.PdfDocument(str(source))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            finally:
                page.close()
            angle = skew * (1 if rng.random() < 0.5 else -1) * (0.5 + rng.random() / 2)
            images.append(_speckle(image.rotate(angle, fillcolor=255, resample=3), noise, rng))
    finally:
        pdf.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(target, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return len(images)


def _speckle(image: Any, share: float, rng: random.Random) -> Any:
    """Dark specks on the paper and light specks in the ink, ``share`` of the pixels each, plus grain."""
    import numpy
    from PIL import Image

    generator = numpy.random.default_rng(rng.randrange(1 << 30))
    pixels = numpy.asarray(image).astype(numpy.int16)
    pixels = pixels + generator.normal(0, 12, pixels.shape).astype(numpy.int16)
    flips = generator.random(pixels.shape)
    pixels[flips < share] = 40
    pixels[flips > 1 - share] = 235
    return Image.fromarray(numpy.clip(pixels, 0, 255).astype(numpy.uint8), "L")


def scan_gold_set(out: Path, sources: list[Path], *, dpi: int = 200, seed: int = 0) -> int:
    """Copy each text PDF with its gold record to ``out/text`` and its scan to ``out/scanned``; returns pages."""
    pages = 0
    for i, source in enumerate(sources):
        relative = source.relative_to(SAMPLE) if source.is_relative_to(SAMPLE) else Path(source.name)
        gold = source.with_name(source.name + GOLD_SUFFIX)
        for kind in ("text", "scanned"):
            folder = (out / kind / relative).parent
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(gold, folder / gold.name)
        shutil.copyfile(source, out / "text" / relative)
        pages += scan_pdf(source, out / "scanned" / relative, dpi=dpi, seed=seed + i)
    return pages


def sample_pdfs(count: int, max_pages: int = 2) -> list[Path]:
    """The first ``count`` gold PDFs of the sample with at most ``max_pages`` pages, one per layout family
    first (by municipality), in a stable order."""
    import pypdfium2 as pdfium

    chosen: list[Path] = []
    by_town: dict[str, list[Path]] = {}
    for gold in sorted(SAMPLE.rglob(f"*.pdf{GOLD_SUFFIX}")):
        pdf_path = gold.with_name(gold.name[: -len(GOLD_SUFFIX)])
        pdf = pdfium.PdfDocument(str(pdf_path))
        pages = len(pdf)
        pdf.close()
        if pages <= max_pages:
            by_town.setdefault(pdf_path.relative_to(SAMPLE).parts[0], []).append(pdf_path)
    while len(chosen) < count and any(by_town.values()):
        for town in sorted(by_town):
            if by_town[town] and len(chosen) < count:
                chosen.append(by_town[town].pop(0))
    return chosen


TYPEWRITER_AGENDA = (
    "HOLMSTRUP KOMMUNE",
    "",
    "Økonomiudvalget",
    "",
    "DAGSORDEN",
    "",
    "for mødet tirsdag den 15. marts 1994 kl. 16.00",
    "på rådhuset, mødelokale 2",
    "",
    "1. Godkendelse af dagsorden",
    "",
    "2. Budgetopfølgning pr. 1. marts 1994",
    "   Forvaltningen forelægger budgetopfølgningen for",
    "   de første to måneder af året.",
    "",
    "3. Salg af grund på Møllevej 12",
    "   Sagsnr. 94/1123. Der er modtaget et bud på",
    "   grunden. Forvaltningen indstiller, at buddet",
    "   accepteres.",
    "",
    "4. Ansøgning om tilskud til idrætshallens tag",
    "   Idrætsforeningen søger om 250.000 kr.",
    "",
    "5. Eventuelt",
)


def typewriter_agenda(target: Path, *, dpi: int = 300, seed: int = 7) -> None:
    """A typewritten 1990s agenda (Courier 12 pt, uneven inking, skew, specks) as an image-only PDF."""
    import tempfile

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="arkiv-typewriter-") as tmp:
        typed = Path(tmp) / "typed.pdf"
        canvas = Canvas(str(typed), pagesize=A4, invariant=1)
        canvas.setFont("Courier", 12)
        y = A4[1] - 90
        for line in TYPEWRITER_AGENDA:
            x = 85.0
            for letter in line:  # type bars do not all strike at the same height
                canvas.drawString(x, y + rng.uniform(-0.5, 0.5), letter)
                x += 7.2
            y -= 18
        canvas.save()
        scan_pdf(typed, target, dpi=dpi, skew=0.7, noise=0.001, seed=seed)
    _ink_unevenly(target, dpi, rng)


def _ink_unevenly(target: Path, dpi: int, rng: random.Random) -> None:
    """Make the ink of a one-page scan faint in some places and heavy in others (a worn ribbon)."""
    import numpy
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    pdf = pdfium.PdfDocument(str(target))
    page = pdf[0]
    try:
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        page.close()
        pdf.close()
    generator = numpy.random.default_rng(rng.randrange(1 << 30))
    coarse = Image.fromarray((generator.random((60, 40)) * 255).astype(numpy.uint8), "L")
    field = numpy.asarray(coarse.resize(image.size, Image.Resampling.BICUBIC)).astype(numpy.float32) / 255
    pixels = numpy.asarray(image.filter(ImageFilter.GaussianBlur(0.7))).astype(numpy.float32)
    darkness = (255 - pixels) * (0.7 + 0.5 * field)  # 70 % to 120 % of the ink
    inked = Image.fromarray(numpy.clip(255 - darkness, 0, 255).astype(numpy.uint8), "L")
    inked.save(target, "PDF", resolution=float(dpi))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scanned renderings of gold documents of corpus/sample.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--max-pages", type=int, default=2)
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args(argv)
    sources = sample_pdfs(args.count, args.max_pages)
    pages = scan_gold_set(args.out, sources, dpi=args.dpi)
    print(f"{len(sources)} documents, {pages} pages: {args.out / 'text'} and {args.out / 'scanned'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
