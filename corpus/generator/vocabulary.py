"""Words and phrases of Danish municipal case work, shared by all layout families.

The topics recur across committees and years so that search queries can be
written from the data ("sygefraværspulje", "skolestruktur", "klimatilpasning",
"budget 2021", the old spelling "Åbenrå" next to "Aabenraa").
"""

from __future__ import annotations

from dataclasses import dataclass

from parsers.danish_dates import MONTH_NAMES
from parsers.danish_dates import WEEKDAYS as _WEEKDAY_NAMES


@dataclass(frozen=True)
class Municipality:
    name: str  # "Aabenraa Kommune"
    short: str  # "Aabenraa"
    council: str  # "Byrådet" or "Kommunalbestyrelsen"
    town_hall: str
    case_scheme: str  # "yy", "kle", "year", "emn", "s"
    slug: str


MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality("Skovlund Kommune", "Skovlund", "Byrådet", "Skovlund Rådhus", "yy", "skovlund"),
    Municipality("Aabenraa Kommune", "Aabenraa", "Byrådet", "Aabenraa Rådhus", "kle", "aabenraa"),
    Municipality("Nørreå Kommune", "Nørreå", "Kommunalbestyrelsen", "Nørreå Rådhus", "emn", "noerreaa"),
    Municipality("Aarhus Kommune", "Aarhus", "Byrådet", "Aarhus Rådhus", "yy", "aarhus"),
    Municipality("Hedeby Kommune", "Hedeby", "Kommunalbestyrelsen", "Hedeby Rådhus", "year", "hedeby"),
)

FIRST_NAMES = (
    "Lars",
    "Jørgen",
    "Charlotte",
    "Anya",
    "Mette",
    "Søren",
    "Birgitte",
    "Henrik",
    "Kirsten",
    "Peter",
    "Anne",
    "Jens",
    "Hanne",
    "Morten",
    "Louise",
    "Rasmus",
    "Pia",
    "Thomas",
    "Signe",
    "Bo",
    "Karen",
    "Niels",
    "Lone",
    "Mads",
    "Trine",
    "Ole",
    "Inge",
    "Michael",
    "Camilla",
    "Erik",
)
LAST_NAMES = (
    "Holte",
    "Lerhard",
    "Markussen",
    "Krogh",
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Møller",
    "Kjær",
    "Lund",
    "Østergaard",
    "Bæk",
    "Dahl",
    "Frandsen",
    "Skov",
)
PARTIES = ("A", "V", "C", "F", "O", "Ø", "B", "I", "D", "Æ")

ROOMS = (
    "Mødelokale 1.14",
    "Udvalgsværelse 398",
    "Byrådssalen",
    "Mødelokale 2, Rådhuset",
    "Kantinen, Teknisk Forvaltning",
    "Mødelokale Fjorden",
    "Lokale 104",
    "Borgmesterens kontor",
)

WEEKDAYS = tuple(day.capitalize() for day in _WEEKDAY_NAMES)
MONTHS = MONTH_NAMES


@dataclass(frozen=True)
class Topic:
    """One kind of case. ``{year}``, ``{amount}``, ``{town}`` and ``{place}`` are filled per case."""

    title: str
    committees: tuple[str, ...]  # fagudvalg first; cases travel on to Økonomiudvalget and the council
    background: tuple[str, ...]
    proposal: str  # indstilling: "Det indstilles, at ..."
    economy: str | None = None
    decisions: tuple[str, ...] = ()  # extra decision phrasings specific to the topic


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Udmøntning af sygefraværspulje {year}",
        ("Direktionen", "Økonomiudvalget"),
        (
            "Sygefraværet i kommunen har i {year} ligget over landsgennemsnittet, særligt i ældreplejen og på "
            "dagtilbudsområdet.",
            "Der er afsat en sygefraværspulje på {amount}, som arbejdspladser kan søge til målrettede tiltag, "
            "herunder tidlig dialog, arbejdsmiljøindsatser og fleksible tilbagevendingsforløb.",
            "HR har udarbejdet kriterier for tildeling, som sikrer, at midlerne går til arbejdspladser med et "
            "vedvarende højt sygefravær.",
        ),
        "det indstilles, at sygefraværspuljen på {amount} udmøntes efter de beskrevne kriterier",
        "Udgiften på {amount} afholdes inden for den afsatte sygefraværspulje.",
    ),
    Topic(
        "Ny skolestruktur i {town}",
        ("Børne- og Ungeudvalget", "Økonomiudvalget"),
        (
            "Elevtallet i {town} forventes at falde med ca. 15 pct. frem mod {year2}, og flere skoler har i dag "
            "klasser med under 15 elever.",
            "Forvaltningen har på den baggrund udarbejdet tre modeller for en ny skolestruktur, som har været i "
            "høring i skolebestyrelserne og MED-udvalgene.",
            "Model 2 indebærer en sammenlægning af {place} Skole og Nordbyskolen under fælles ledelse fra "
            "1. august {year2}.",
        ),
        "det indstilles, at model 2 for den fremtidige skolestruktur sendes i offentlig høring i 8 uger",
        "Sammenlægningen forventes at give en besparelse på {amount} årligt fra {year2}.",
    ),
    Topic(
        "Klimatilpasning ved {place}",
        ("Teknik- og Miljøudvalget", "Økonomiudvalget"),
        (
            "Ved skybruddene i {year} blev flere boliger ved {place} oversvømmet, og forsyningsselskabet har "
            "derfor udarbejdet et projekt for klimatilpasning af området.",
            "Projektet omfatter regnvandsbassiner, åbne grøfter og en forhøjelse af stien langs åen.",
            "Kommunens andel af anlægsudgiften udgør {amount}, som foreslås finansieret af puljen til klimatilpasning.",
        ),
        "det indstilles, at der gives en anlægsbevilling på {amount} til klimatilpasning ved {place}",
        "Anlægsbevillingen på {amount} finansieres af rådighedsbeløbet til klimatilpasning i budget {year}.",
    ),
    Topic(
        "Budget {year2} – 1. behandling",
        ("Økonomiudvalget",),
        (
            "Økonomiudvalget skal behandle forslag til budget {year2} og overslagsårene, som oversendes til "
            "byrådets 1. behandling.",
            "Budgetforslaget er udarbejdet på baggrund af økonomiaftalen mellem KL og regeringen og indeholder "
            "et teknisk budget med et samlet driftsbudget på {amount}.",
            "Der er forudsat en uændret udskrivningsprocent og grundskyldspromille.",
        ),
        "det indstilles, at budgetforslaget for {year2} oversendes til 1. behandling i byrådet",
        "Budgetforslaget balancerer med et kassetræk på {amount}.",
    ),
    Topic(
        "Godkendelse af lokalplan nr. {num} for boliger ved {place}",
        ("Teknik- og Miljøudvalget", "Økonomiudvalget"),
        (
            "Forslag til lokalplan nr. {num} har været i offentlig høring i 8 uger, og der er indkommet 14 "
            "høringssvar.",
            "Lokalplanen giver mulighed for opførelse af ca. 60 boliger i op til tre etager ved {place}.",
            "Høringssvarene drejer sig primært om trafik, parkering og bevaring af den eksisterende beplantning.",
        ),
        "det indstilles, at lokalplan nr. {num} vedtages endeligt med de ændringer, der fremgår af hvidbogen",
    ),
    Topic(
        "Status på Fremtidens administration (ØU03)",
        ("Direktionen",),
        (
            "Det er aftalt, at projektledelsen for ØU03 løbende deltager på direktionsmøderne mhp. at give status "
            "og drøfte de spørgsmål, som opstår i indsatsen.",
            "Projektledelsen vil på mødet gøre status med særligt fokus på grundtonerne fra de afholdte "
            "aktiviteter samt dilemmaer i projektet.",
        ),
        "det indstilles, at status tages til efterretning",
    ),
    Topic(
        "Aktindsigt – behandling af anmodning om aktindsigt i sag om {place}",
        ("Direktionen", "Økonomiudvalget"),
        (
            "Kommunen har modtaget en anmodning om aktindsigt efter offentlighedslovens § 7 i sagen om salg af "
            "grunden ved {place}.",
            "Der er givet delvis aktindsigt, idet interne dokumenter er undtaget efter offentlighedslovens § 23, "
            "stk. 1, nr. 1.",
            "Anmodningen er besvaret inden for fristen på 7 arbejdsdage.",
        ),
        "det indstilles, at orienteringen om aktindsigt tages til efterretning",
    ),
    Topic(
        "Kvalitetsrapport for dagtilbud {year}",
        ("Børne- og Ungeudvalget",),
        (
            "Kvalitetsrapporten for dagtilbud {year} viser en positiv udvikling i børnenes sproglige kompetencer.",
            "Normeringen er forbedret som følge af minimumsnormeringerne, og sygefraværet blandt pædagogerne er "
            "faldet.",
        ),
        "det indstilles, at kvalitetsrapporten for dagtilbud {year} godkendes",
    ),
    Topic(
        "Beskæftigelsesplan {year2}",
        ("Social- og Beskæftigelsesudvalget", "Økonomiudvalget"),
        (
            "Beskæftigelsesplanen fastsætter de lokale mål for jobcentrets indsats i {year2}, herunder en "
            "reduktion af antallet af borgere på kontanthjælp.",
            "Planen har været drøftet i Det Lokale Beskæftigelsesråd og tager afsæt i ministerens mål for "
            "beskæftigelsesindsatsen.",
        ),
        "det indstilles, at beskæftigelsesplanen for {year2} godkendes og sendes videre til byrådet",
        "Planen gennemføres inden for det eksisterende budget på {amount}.",
    ),
    Topic(
        "Tillægsbevilling til handicapområdet",
        ("Social- og Beskæftigelsesudvalget", "Økonomiudvalget"),
        (
            "Handicapområdet forventer et merforbrug på {amount} i {year}, primært på botilbud efter "
            "servicelovens § 108.",
            "Merforbruget skyldes flere borgere med komplekse behov og stigende takster hos private leverandører.",
        ),
        "det indstilles, at der gives en tillægsbevilling på {amount} til handicapområdet",
        "Tillægsbevillingen på {amount} finansieres af kassebeholdningen.",
    ),
    Topic(
        "Renovering af Åbenrå Svømmehal",
        ("Teknik- og Miljøudvalget", "Økonomiudvalget"),
        (
            "Svømmehallen i Aabenraa (tidligere stavet Åbenrå) er fra 1974 og har behov for en omfattende "
            "renovering af tag, ventilation og bassinteknik.",
            "Der er indhentet tilbud fra tre entreprenører, og det laveste bud lyder på {amount}.",
        ),
        "det indstilles, at renoveringen af svømmehallen igangsættes, og at der frigives {amount}",
        "Udgiften på {amount} afholdes af anlægspuljen til idrætsfaciliteter.",
    ),
    Topic(
        "Styrelsesvedtægt – ændring af udvalgsstrukturen",
        ("Økonomiudvalget",),
        (
            "Efter styrelsesloven skal ændringer i styrelsesvedtægten behandles på to møder i byrådet med mindst "
            "6 dages mellemrum.",
            "Det foreslås at nedsætte et særligt udvalg efter styrelseslovens § 17, stk. 4, om "
            "borgerinddragelse i perioden frem til udgangen af {year2}.",
        ),
        "det indstilles, at ændringen af styrelsesvedtægten godkendes til 1. behandling",
    ),
    Topic(
        "Trafiksikkerhedsplan for {town}",
        ("Teknik- og Miljøudvalget",),
        (
            "Trafiksikkerhedsplanen peger på 12 strækninger med mange uheld, herunder krydset ved {place}.",
            "Der foreslås hastighedsdæmpning, nye cykelstier og bedre belysning for i alt {amount}.",
        ),
        "det indstilles, at trafiksikkerhedsplanen godkendes, og at de første projekter prioriteres i {year2}",
        "Projekterne finansieres af puljen til trafiksikkerhed med {amount}.",
    ),
    Topic(
        "Regnskab {year} – godkendelse",
        ("Økonomiudvalget",),
        (
            "Regnskabet for {year} udviser et overskud på den ordinære drift på {amount}.",
            "Servicerammen er overholdt, og anlægsniveauet har været lavere end budgetteret på grund af "
            "forsinkede projekter.",
        ),
        "det indstilles, at regnskabet for {year} oversendes til revisionen og byrådet",
    ),
    Topic(
        "Opstart af proces for fællesskaber",
        ("Direktionen",),
        (
            "Direktionen drøftede tidligere status på arbejdet med fællesskaber og sammenhængen til "
            "udviklingsstrategien.",
            "I denne sag skal direktionen tage stilling til, om arbejdsgruppens arbejde understøttes af "
            "eksterne konsulenter for {amount}.",
        ),
        "det indstilles, at direktionen afsætter {amount} fra udviklingspuljen til en workshopproces",
        "At direktionen afsætter {amount} fra udviklingspuljen.",
    ),
    Topic(
        "Ældreplan og plejeboliger i {town}",
        ("Social- og Beskæftigelsesudvalget", "Økonomiudvalget"),
        (
            "Antallet af borgere over 80 år stiger med 40 pct. frem mod {year2}, og ventelisten til plejeboliger "
            "er vokset.",
            "Forvaltningen foreslår opførelse af 48 nye plejeboliger ved {place} i samarbejde med et almennyttigt "
            "boligselskab.",
        ),
        "det indstilles, at der gives en anlægsbevilling på {amount} til servicearealer",
        "Kommunens andel af servicearealerne udgør {amount}.",
    ),
    Topic(
        "Vinterberedskab og vejsaltning {year}",
        ("Teknik- og Miljøudvalget",),
        (
            "Vinterregulativet fastlægger serviceniveauet for snerydning og glatførebekæmpelse på de kommunale "
            "veje og stier.",
            "Udgifterne til vintertjeneste har de seneste tre år i gennemsnit været {amount}.",
        ),
        "det indstilles, at det uændrede serviceniveau i vinterregulativet godkendes",
    ),
    Topic(
        "Udbud af rengøring på kommunale institutioner",
        ("Økonomiudvalget",),
        (
            "Kontrakten om rengøring af skoler og daginstitutioner udløber, og opgaven skal i udbud efter udbudsloven.",
            "Den samlede kontraktsum forventes at udgøre {amount} over fire år.",
        ),
        "det indstilles, at udbudsstrategien godkendes",
    ),
)

TOWNS = ("Nordby", "Søndersø", "Bjerre", "Kolstrup", "Rødekro", "Hjordkær", "Vestervig", "Ålbæk")
PLACES = (
    "Skovvej",
    "Fjordparken",
    "Kirkebakken",
    "Møllegården",
    "Åstien",
    "Havnepladsen",
    "Engparken",
    "Bøgeskoven",
    "Stationsvej",
    "Tingstedet",
)

# Decision phrasings by outcome; "{body}" is the deciding body in definite form.
DECISIONS: dict[str, tuple[str, ...]] = {
    "godkendt": (
        "Godkendt.",
        "Indstillingen blev godkendt.",
        "{body} godkendte indstillingen.",
        "Godkendt som indstillet.",
    ),
    "anbefalet": (
        "Anbefales over for Byrådet.",
        "{body} anbefaler indstillingen over for Byrådet.",
        "Anbefalet og oversendt til Byrådet.",
    ),
    "efterretning": (
        "Taget til efterretning.",
        "{body} tog orienteringen til efterretning.",
        "{body} tog drøftelsen til efterretning og bad om en opfølgning på et senere møde.",
    ),
    "udsat": (
        "Udsat.",
        "Sagen blev udsat til næste møde med henblik på yderligere belysning af økonomien.",
    ),
    "oversendt": ("Oversendt til Byrådet uden anbefaling.", "Sagen oversendes til Byrådet."),
    "afvist": ("Indstillingen blev afvist.", "{body} kunne ikke tiltræde indstillingen."),
    "drøftet": ("Drøftet.", "{body} drøftede sagen. Forvaltningen arbejder videre med de faldne bemærkninger."),
}

ATTACHMENT_NAMES = (
    "Notat om {topic}",
    "Bilag 1: Tidsplan",
    "Bilag 2: Økonomisk oversigt",
    "Høringssvar samlet",
    "Præsentation fra mødet",
    "Kortbilag",
    "Hvidbog",
    "Budgetnotat {year}",
    "Referat fra MED-udvalget",
    "Procesplan",
    "OPDATERET til møde {date} {title} (1).docx",
    "{title} - notat til udvalget.pdf",
    "Bilag 3: Høringssvar fra {place} Lokalråd",
)

MIDDLE_NAMES = ("Krogh", "Holm", "Bang", "Arndt", "Juul", "Kjeldsen", "Bech", "Vinther")


# Longer case descriptions borrow from these, so items vary in length and some span pages.
EXTRA_PARAGRAPHS: tuple[str, ...] = (
    "Sagen har været drøftet i det lokale MED-udvalg, som ikke havde bemærkninger til forslaget.",
    "Forvaltningen har gennemført en borgerinddragelsesproces med to borgermøder og en digital høring, hvor "
    "der i alt er modtaget {n} bemærkninger. Bemærkningerne er samlet i en hvidbog, som er vedlagt sagen.",
    "Der er foretaget en vurdering af konsekvenserne for borgere, medarbejdere og kommunens økonomi. "
    "Vurderingen viser, at forslaget kan gennemføres inden for de gældende rammer.",
    "Tidsplanen forudsætter, at der træffes beslutning inden udgangen af {month}, så arbejdet kan "
    "igangsættes i god tid inden sommerferien.",
    "Forslaget er i overensstemmelse med kommunens vision og den politisk vedtagne udviklingsstrategi, "
    "herunder målet om stærke fællesskaber og en grøn omstilling.",
    "Kommunens revision har gennemgået området og anbefaler, at opfølgningen fremover sker kvartalsvis med "
    "en afrapportering til udvalget.",
    "Der er tale om en videreførelse af en indsats, som blev igangsat i forbindelse med budgetforliget, og "
    "som efter evalueringen har vist gode resultater.",
    "Juridisk Kontor har vurderet, at kommunen har hjemmel til at træffe beslutningen efter "
    "kommunalfuldmagtsreglerne, og at der ikke er krav om udbud.",
    "Administrationen foreslår, at der i forlængelse af beslutningen udarbejdes en kommunikationsplan, så "
    "berørte borgere og foreninger orienteres direkte.",
    "Sagen blev første gang behandlet i foråret, hvor udvalget bad om yderligere belysning af alternativer "
    "og af de afledte driftsudgifter.",
)

BULLETS: tuple[str, ...] = (
    "Aktuelle pressesager",
    "Opfølgning på økonomien",
    "Drøftelse af tidsplan og milepæle",
    "Status på rekruttering",
    "Orientering fra MED-udvalget",
    "Udmøntning af sygefraværspulje",
    "Input til budgetprocessen",
    "Kommunikation til borgere og foreninger",
)

MORE_TOPICS: tuple[Topic, ...] = (
    Topic(
        "Orientering om sygefravær {year}, 2. kvartal",
        ("Direktionen", "Økonomiudvalget"),
        (
            "Sygefraværet for 2. kvartal {year} er opgjort til 5,8 pct., hvilket er et fald på 0,4 procentpoint i "
            "forhold til samme kvartal sidste år.",
            "Det højeste sygefravær ses fortsat på ældreområdet, hvor langtidsfraværet udgør over halvdelen af det "
            "samlede fravær.",
        ),
        "det indstilles, at orienteringen om sygefravær tages til efterretning",
    ),
    Topic(
        "Takster for dagtilbud og SFO {year2}",
        ("Børne- og Ungeudvalget", "Økonomiudvalget"),
        (
            "Taksterne for dagtilbud og SFO fastsættes årligt på grundlag af budgettet og dagtilbudslovens regler "
            "om forældrebetaling.",
            "Forslaget indebærer en stigning i taksten for vuggestue på 2,1 pct. og en uændret takst for SFO.",
        ),
        "det indstilles, at taksterne for {year2} godkendes",
        "Taksterne giver samlede forældrebetalinger på {amount}.",
    ),
    Topic(
        "Frigivelse af anlægsmidler til cykelsti langs {place}",
        ("Teknik- og Miljøudvalget", "Økonomiudvalget"),
        (
            "Der er i budget {year} afsat midler til en dobbeltrettet cykelsti langs {place} mellem {town} og skolen.",
            "Projektet er udarbejdet i dialog med skolebestyrelsen og lokalrådet i {town}.",
        ),
        "det indstilles, at der frigives en anlægsbevilling på {amount} til cykelstien",
        "Anlægsudgiften på {amount} er afsat i investeringsoversigten for {year}.",
    ),
    Topic(
        "Budgetopfølgning pr. 31. marts {year}",
        ("Økonomiudvalget",),
        (
            "Budgetopfølgningen viser et forventet merforbrug på serviceudgifterne på {amount}, primært på det "
            "specialiserede socialområde.",
            "Direktionen har igangsat initiativer, der skal bringe økonomien i balance inden årets udgang.",
        ),
        "det indstilles, at budgetopfølgningen tages til efterretning",
    ),
    Topic(
        "Høring om kommuneplantillæg nr. {num} for {town}",
        ("Teknik- og Miljøudvalget",),
        (
            "Kommuneplantillægget udlægger et nyt område til blandet bolig og erhverv i den nordlige del af {town}.",
            "Forslaget sendes i offentlig høring i 8 uger efter planlovens § 24.",
        ),
        "det indstilles, at forslag til kommuneplantillæg nr. {num} sendes i offentlig høring",
    ),
    Topic(
        "Lukning af Kirkebakkens Børnehus",
        ("Børne- og Ungeudvalget", "Økonomiudvalget"),
        (
            "Børnetallet i området er faldet, og Kirkebakkens Børnehus har i {year} haft en belægning på under 60 pct.",
            "Forældrebestyrelsen har i sit høringssvar udtrykt bekymring for afstanden til de nærmeste dagtilbud.",
        ),
        "det indstilles, at Kirkebakkens Børnehus lukkes pr. 1. august {year2}",
        "Lukningen giver en årlig besparelse på {amount}.",
    ),
    Topic(
        "Nedsættelse af et § 17, stk. 4-udvalg om nærdemokrati og borgerinddragelse i landdistrikterne",
        ("Økonomiudvalget",),
        (
            "Byrådet kan efter styrelseslovens § 17, stk. 4, nedsætte særlige udvalg til at varetage bestemte "
            "hverv eller til at forberede sager for byrådet.",
            "Udvalget foreslås sammensat af fem byrådsmedlemmer og fire repræsentanter for lokalrådene i {town} "
            "og omegn.",
        ),
        "det indstilles, at der nedsættes et § 17, stk. 4-udvalg med det beskrevne kommissorium",
    ),
)
