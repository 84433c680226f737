"""Word lists the generated site is made of."""

from __future__ import annotations

NOUNS = (
    "government", "ministry", "ceasefire", "border", "talks", "sanctions", "economy", "parliament",
    "election", "protest", "agreement", "summit", "resistance", "occupation", "refugees", "aid",
    "convoy", "hospital", "port", "pipeline", "grain", "oil", "gas", "currency", "inflation",
    "delegation", "council", "army", "navy", "drones", "missiles", "embassy", "court", "strike",
    "blockade", "reconstruction", "villages", "farmers", "workers", "students", "journalists",
    "festival", "tournament", "vaccine", "outbreak", "drought", "floods", "satellite", "network",
    "exports", "imports", "budget", "debt", "reserves", "corridor", "alliance", "coalition",
)
VERBS = (
    "condemns", "rejects", "warns", "announces", "signs", "calls for", "denies", "confirms",
    "launches", "suspends", "extends", "backs", "slams", "urges", "demands", "reveals", "hosts",
    "meets", "discusses", "halts", "resumes", "expands", "blocks", "approves", "postpones",
)
ADJECTIVES = (
    "new", "urgent", "regional", "joint", "temporary", "historic", "fragile", "major", "fresh",
    "renewed", "economic", "military", "diplomatic", "humanitarian", "unprecedented", "bilateral",
    "strategic", "national", "broad", "limited", "direct", "indirect", "public", "secret",
)
ADVERBS = ("sharply", "quietly", "openly", "again", "further", "repeatedly", "formally", "swiftly")
CONNECTORS = (
    "according to officials", "amid rising tensions", "despite international pressure",
    "as talks continue", "in a statement on Tuesday", "on Monday evening", "earlier this week",
    "following the meeting", "in the capital", "across the region", "for the third time",
)
PLACES = (
    "Beirut", "Gaza", "Sanaa", "Damascus", "Tehran", "Baghdad", "Caracas", "Havana", "Moscow",
    "Beijing", "Cairo", "Amman", "Ramallah", "Jenin", "Tyre", "Aden", "Brasília", "Bogotá",
    "Pretoria", "Nairobi", "Ankara", "Yerevan", "Baku", "Kabul", "Islamabad", "Doha",
)
OFFICIALS = (
    "Foreign Minister", "Prime Minister", "President", "spokesperson", "Defense Minister",
    "ambassador", "envoy", "Speaker", "Secretary-General", "senior official",
)
# people named in the text: Latin, accented and Arabic-script names
LATIN_NAMES = (
    "Ned Price", "Antony Blinken", "Nabih Berri", "Joseph Aoun", "Nicolás Maduro", "Lula da Silva",
    "Sergey Lavrov", "Wang Yi", "Hossein Amir-Abdollahian", "Ilham Aliyev", "Nikol Pashinyan",
    "Cyril Ramaphosa", "Gustavo Petro", "Recep Tayyip Erdoğan", "José Martí", "Björn Höcke",
    "Zoë Müller", "François Hollande", "Ayşe Kaya", "Lech Wałęsa",
)
NON_LATIN_NAMES = ("محمد", "علي حسن", "فاطمة الزهراء", "Михаил Иванов", "王毅", "حسن نصر الله", "Ελένη Παππά")
AUTHORS = (
    "Ali Jezzini", "Hiba Morad", "Mohammad Hasan Sweidan", "Robert Inlakesh", "Zeinab El-Hajj",
    "Kit Klarenberg", "Bruno Guigue", "Karim Salem", "Layla Nasser", "Ahmad Karout",
    "Tony Ramos", "Sondoss Al Asaad", "Maria Ortega", "Jaime Cabrera",
)
HOUSE_AUTHOR = "Al Mayadeen English"
SOURCES = ("Agencies", "Al Mayadeen English", "Al Mayadeen Net", "News websites", "Reuters")
TWEET_AUTHORS = (("Al Mayadeen English", "MayadeenEnglish"), ("Ned Price", "StateDeptSpox"),
                 ("UNRWA", "UNRWA"), ("Hossein Amir-Abdollahian", "Amirabdolahian"))
# country -> region slug (facts.REGIONS_EN)
COUNTRIES = {
    "Lebanon": "mena", "Syria": "mena", "Iraq": "mena", "Yemen": "mena", "Iran": "mena",
    "Egypt": "mena", "Jordan": "mena", "Palestine": "palestine", "United States": "us-canada",
    "Canada": "us-canada", "Russia": "europe", "Ukraine": "europe", "France": "europe",
    "Germany": "europe", "China": "asia", "India": "asia", "Pakistan": "asia", "Armenia": "asia",
    "Azerbaijan": "asia", "Australia": "asia-pacific", "Japan": "asia-pacific",
    "Venezuela": "latin-america", "Cuba": "latin-america", "Brazil": "latin-america",
    "Colombia": "latin-america", "South Africa": "africa", "Kenya": "africa", "Niger": "africa",
}
TAGS = (
    "Gaza", "Lebanon", "Hezbollah", "Israeli occupation", "Yemen", "Iran", "US", "Russia",
    "Ukraine", "China", "Syria", "Iraq", "West Bank", "Venezuela", "Cuba", "BRICS", "NATO",
    "European Union", "Sanctions", "Oil prices", "Red Sea", "Palestinian Resistance", "UN",
    "Security Council", "Ansar Allah", "Ilham Aliyev", "Nikol Pashinyan", "Blinken", "Armenia",
    "Azerbaijan", "Africa", "Sahel", "Niger", "Climate change", "World Cup", "Football",
    "Health", "COVID-19", "Technology", "Artificial Intelligence", "Economy", "Inflation",
    "Energy", "Gas", "Turkey", "Egypt", "Jordan", "Qatar", "Saudi Arabia", "UAE",
)
HUB_TAG = "Palestine"  # every tags-only article carries it, and so do the newest listed ones
