"""Build the shipped base scenario ``scenarios/japan-eu-2030.xlsx``.

Japan and the EU buying NdPr, Dy and Tb oxide together, 2026-2035, from Chinese and
non-Chinese refiners and recyclers. Every number comes from the public figures gathered
in the project's ``data/public-figures.md`` (USGS Mineral Commodity Summaries 2026, the
CRMA 65 % benchmark, JOGMEC's 60-day target, the Japan-Lynas terms) or is an assumption
whose derivation the row's ``note`` states. Sources are named by publication and URL,
never by a local path.

Run from anywhere (the output lands beside this script unless a path is given)::

    python scenarios/build_japan_eu_2030.py [OUTPUT.xlsx]

The data tables below are grouped per sheet, in the workbook's sheet order. Column names
are never spelled here as headers: each sheet's header is the schema's column list
(``optimizer.workbook.schema``) plus ``source`` and ``note``, and every row is checked against it.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # a fresh checkout runs without installing

from optimizer.workbook.schema import ANNOTATIONS, SHEET_BY_NAME  # noqa: E402
from optimizer.xlsx import atomic_workbook, write_table  # noqa: E402

OUTPUT = HERE / "japan-eu-2030.xlsx"

# --------------------------------------------------------------------------- sources
USGS = ("USGS Mineral Commodity Summaries 2026, Rare Earths "
        "(https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-rare-earths.pdf; data release "
        "https://doi.org/10.5066/P1WKQ63T)")
USGS_NDPR_PRICE = ("USGS MCS 2026, Rare Earths: NdPr oxide 99 % min, 2025e average 69 USD/kg "
                   "FOB China (Argus)")
USGS_DY_PRICE = ("USGS MCS 2026, Rare Earths (Heavy): Dy oxide 99.5 %, 2025e average "
                 "239 USD/kg FOB China (Argus)")
USGS_TB_PRICE = ("USGS MCS 2026, Rare Earths (Heavy): Tb oxide 99.99 %, 2025e average "
                 "1,010 USD/kg FOB China (Argus)")
USGS_CHINA = "USGS MCS 2026, Rare Earths: China mine production 270,000 t REO (2025e)"
USGS_BURMA = ("USGS MCS 2026, Rare Earths: Burma mine production 27,000 t (2024) -> "
              "22,000 t REO (2025e), estimated from China's import data")
USGS_VIETNAM = ("USGS MCS 2026, Rare Earths: Vietnam mine production 150 t REO (2025e), "
                "reserves 3,500,000 t")
USGS_ESTONIA = ("USGS MCS 2026, Rare Earths: US imports of compounds and metals 2021-24, "
                "Estonia 5 %")
USGS_US = "USGS MCS 2026, Rare Earths: US mine production 51,000 t REO (2025e)"
USGS_BRAZIL = "USGS MCS 2026, Rare Earths: Brazil mine production 2,000 t REO (2025e)"
CRMA = ("Regulation (EU) 2024/1252 (Critical Raw Materials Act): at most 65 % of the EU's "
        "annual consumption of each strategic raw material from a single third country, at "
        "any relevant stage of processing")
CRMA_RECYCLING = "Regulation (EU) 2024/1252 (CRMA): 2030 recycling benchmark 25 %"
JOGMEC = ("JOGMEC stockpile target: 60 days of consumption (IEA policy database; Argus "
          "2020)")
LYNAS_JAPAN_NDPR = ("Lynas -> Japan priority: up to 7,200 t/yr NdPr while Lynas output is "
                    "below 9,600 t, until 2038 (mining.com / Reuters, 2023)")
LYNAS_JAPAN_HRE = ("Lynas -> Japan: up to 65 % of Dy/Tb from Mt Weld feedstock (Green Car "
                   "Congress, 2023); JARE covers about 30 % of Japan's Dy/Tb demand (METI via "
                   "https://www.iru-miru.com/en/article_detail.php?id=58546)")
LYNAS_CAPACITY = ("Lynas: Malaysia NdPr capacity raised 7,200 -> 10,500 t/yr, Mt Weld target "
                  "12,000 t/yr NdPr (https://www.australianmining.com.au/"
                  "lynas-mt-weld-gets-a-boost/); 6,142 t NdPr oxide in FY2023 "
                  "(https://fastmarkets.com/insights/"
                  "lynas-to-produce-dysprosium-terbium-oxide-in-malaysia)")
LYNAS_HRE = ("Lynas: first Dy May 2025, Tb June 2025 in Malaysia; SEGH circuit 1,500 t/yr "
             "(https://www.australianmining.com.au/"
             "lynas-produces-worlds-first-dysprosium-outside-of-china/)")
DOD_MP = ("DoD-MP Materials agreement: 110 USD/kg NdPr oxide price floor for 10 years "
          "(FAS, 2025)")
MP_OUTPUT = ("MP Materials: 1,294 t NdPr oxide in 2024 (MP Q4-2024 release, secondary); "
             "10X magnet plant 10,000 t/yr by 2028 (FAS)")
SERRA_VERDE = ("Serra Verde: about 5,000 t/yr REO expected by 2026 (secondary: "
               "https://baltimorechronicle.com/society/2025/08/13/"
               "largest-rare-earth-metal-reserves-china-brazil-india)")
ECA_MAGNETS = ("European Court of Auditors (Feb 2026): 20,000 t of permanent magnets used "
               "by EU industry in 2024, 17,000 t from China (secondary: "
               "https://www.plataformamedia.com/en/2026/02/03/"
               "eu-faces-major-reliance-on-china-for-critical-minerals-auditors-warn)")
ARGUS_JAPAN = ("Argus 2022: Japan rare-earth imports 856.97 t (Apr 2022), 664.84 t "
               "(Nov 2022) (https://argusmedia.com/es/news-and-insights/latest-market-news/"
               "2405752-japan-aims-to-diversify-rare-earth-supply)")
GTA_2010 = ("Global Trade Alert, state act 2092: China, temporary export restrictions on "
            "rare earths to Japan, 21 Sep - 20 Nov 2010 "
            "(https://www.globaltradealert.org/state-act/2092/china-temporary-export-"
            "restrictions-on-rare-earth-minerals-to-japan)")
CAREMAG_JOGMEC = ("Argus, 17 Mar 2025: JOGMEC and Iwatani invest up to EUR 110 mn (USD 120 "
                  "mn) in Caremag for a term contract of about 250 t/yr Dy and 45 t/yr Tb, "
                  "deliveries from 2027; Lacq plant to treat 2,000 t/yr recycled magnets and "
                  "5,000 t/yr ore (METI) (https://www.argusmedia.com/ja/news-and-insights/"
                  "latest-market-news/2668346-japanese-firms-invest-in-french-rare-earths-"
                  "producer)")
SMM_APR_2025 = ("SMM, 18 Apr 2025: within a month of China's 4 Apr 2025 export controls the "
                "Dy oxide price in Europe nearly tripled and Tb oxide more than doubled, "
                "China domestic stable (https://news.metal.com/newscontent/103310477/)")
NEO_NARVA = ("Argus, Jul 2023: Neo's Narva plant phase 1 'about 2,000 t/yr of sintered rare "
             "earth permanent magnets' (https://www.argusmedia.com/de/news-and-insights/"
             "latest-market-news/2465359-magnequench-starts-building-estonia-re-magnet-"
             "plant); opened 19 Sep 2025, series production from mid-2026 (Neo Q3-2025 "
             "results, https://rohstoff.net/?p=13915)")
LCM_METAL = ("MMTA interview with Less Common Metals: NdPr metal by molten-salt "
             "electrolysis, 2 cells of about 55 t/yr, expanding to 6 cells, about 330 t/yr "
             "'as and when the demand increases' (https://mmta.co.uk/less-common-metals-"
             "building-a-sustainable-ree-supply-chain/)")
MAGNET_CONTENT = ("Heim & Vander Wal, Minerals 13(10) 1274, 2023 (doi:10.3390/min13101274): "
                  "'total rare earth content is ~30% as the reduced metal' in NdFeB; grain-"
                  "boundary diffusion uses a half to a third of the Dy/Tb (IEEE "
                  "Electrification Magazine, Mar 2017)")
FASTMARKETS_METAL = ("Fastmarkets, 18 Apr 2024: NdPr oxide FOB China 53-55 USD/kg, NdPr "
                     "metal 66-68 USD/kg (https://www.fastmarkets.com/insights/china-rare-"
                     "earth-prices-turn-higher-as-sellers-insist-on-higher-prices/)")
EC_MAGNETS = ("European Commission (DG GROW), Rare earth elements, permanent magnets and "
              "motors: 98 % of EU rare-earth magnet demand met by imports from China "
              "(https://single-market-economy.ec.europa.eu/sectors/raw-materials/areas-"
              "specific-interest/rare-earth-elements-permanent-magnets-and-motors_hr)")
ADAMAS_EXPORTS = ("Adamas Intelligence: China exported a record 58,152 t of magnets and "
                  "magnet alloys in 2024 (https://www.adamasintel.com/record-rare-earth-"
                  "magnet-exports-from-china-in-2024/)")
EX_CHINA_PREMIUM = ("Reuters, 1 Jul 2025, 'Rare earth magnet users jolted into paying "
                    "premium prices for ex-China supply': Neo's customers pay 10-30 USD/kg "
                    "more; Vietnam-made magnets 15-20 % more (copy: https://www."
                    "worldenergynews.com/news/users-rare-earth-magnets-are-compelled-pay-"
                    "762958)")
SHIN_ETSU_VN = ("Shin-Etsu Chemical news release: rare-earth magnet capacity in Vietnam "
                "doubled to 2,200 t/yr (https://www.shinetsu.co.jp/en/news/news-release/"
                "shin-etsu-chemical-to-double-its-production-capacity-of-rare-earth-magnets-"
                "in-vietnam/)")
JAPAN_MAGNET_SHARE = ("CNA/Bloomberg Opinion, 9 Jan 2026: China makes about 80 % of NdFeB "
                      "magnets, Japan about half of the rest (https://www.channelnewsasia."
                      "com/commentary/china-rare-earth-japan-export-ban-taiwan-5845981)")
NARVA_PHASE2 = ("GLOBAL RECYCLING 2/2023 p.17: Neo 'is considering plans to increase the "
                "facility's capacity to 5,000 tons/year in a phase 2 expansion, depending upon "
                "market conditions' (https://global-recycling.info/archives/8442); phase 1 cost "
                "EUR 75 m (Automotive World, 19 Sep 2025, https://www.automotiveworld.com/"
                "articles/neo-opens-estonia-rare-earth-plant-to-cut-eu-reliance-on-china/)")
STAR_GROUP_VN = ("The Investor via Rare Earth Exchanges: Star Group Industries' SGI Vina "
                 "plant, Quang Nam, USD 80 m, 4,000 t/yr of magnets, opening Feb 2025 "
                 "(https://rareearthexchanges.com/news/magnet-manufacturing)")
KOREA_MAGNETS = ("Argus 2503299, Nov 2023: Seonglim Advanced Industrial completed its "
                 "1,000 t/yr Hyeonpung magnet plant, Korea's first (https://argusmedia.com/"
                 "en/news-and-insights/latest-market-news/2503299-south-korea-produces-first-"
                 "rare-earth-permanent-magnet)")
LYNAS_JSLINK = ("Lynas ASX release, 24 Jul 2025 (MoU with JS Link): a '3000-tonne capacity "
                "NdFeB permanent sintered magnet manufacturing facility' beside Lynas Malaysia, "
                "Kuantan (https://www.finnewsnetwork.com.au/archives/finance_news_network"
                "2262240.html)")
SEONG_AN_METAL = ("Financial News, 4 Aug 2023, via SEONG-AN: NdPr metallisation plant in "
                  "Binh Duong, Vietnam, 144 t/yr, test operation Jul 2023, expansion to 720 t "
                  "planned (http://seong-an.com/press_release/?bmode=view&idx=17474480"
                  "&t=board)")
ASSUMPTION = "assumption (see note)"

# --------------------------------------------------------------------------- periods
PERIODS = list(range(2026, 2036))
DAYS = 365
FIRST = PERIODS[0]


def per_period(values: list[float]) -> dict[int, float]:
    """Capacities listed from 2026 on; the last value holds for the remaining periods."""
    return {t: values[min(i, len(values) - 1)] for i, t in enumerate(PERIODS)}


# --------------------------------------------------------------------------- Settings
SHORTAGE_PENALTY = 5_000_000  # USD/t, see the note
SETTINGS = [
    ("name", "Japan-EU joint rare-earth procurement 2026-2035 (base)", "",
     "Shipped base scenario; rebuild with scenarios/build_japan_eu_2030.py"),
    ("unit", "t", "", "Tonnes of each material as bought: oxide, metal or magnet"),
    ("currency", "USD", USGS, "USGS prices are USD/kg: 69 USD/kg = 69,000 USD/t"),
    ("coordination", "joint", "", "One plan for both partners; strategies pro-rata and "
     "sequential compare the alternatives"),
    ("shortage_penalty", SHORTAGE_PENALTY, ASSUMPTION,
     "Above the dearest emergency purchase in any disruption scenario (Tb oxide from China "
     "in china-embargo: 1,010,000 x 3.0 x 1.25 spot premium = 3.8 M USD/t), so the plan "
     "runs short only when no material can be had at any price; about 72 x the NdPr "
     "price"),
    ("discount_rate", 0.03, ASSUMPTION, "3 % a year, a public-sector real discount rate"),
    ("robust", "no", "", "Deterministic plan; strategy robust plans against the "
     "Disruptions sheet"),
]

# --------------------------------------------------------------------------- Materials
# material, description, stage, shortage penalty (blank: the setting), source, note
STAGES = ["oxide", "metal", "magnet"]  # SPEC 3.2: the order processing runs in
MAGNET_PENALTY = 2_000_000  # USD/t of magnet short, see the note
MATERIALS = [
    ("NdPr oxide", "Neodymium-praseodymium oxide, 99 % min (the USGS/Argus price grade)",
     "oxide", None, USGS_NDPR_PRICE, ""),
    ("Dy oxide", "Dysprosium oxide, 99.5 % (USGS/Argus price grade)", "oxide", None,
     USGS_DY_PRICE, ""),
    ("Tb oxide", "Terbium oxide, 99.99 % (USGS/Argus price grade)", "oxide", None,
     USGS_TB_PRICE, ""),
    ("NdPr metal", "Neodymium-praseodymium metal (75:25), the feed of magnet alloy", "metal",
     None, FASTMARKETS_METAL, "Nobody demands it directly: magnet plants use it"),
    ("NdFeB magnet", "Sintered NdFeB permanent magnet, EV traction grade (grain-boundary "
     "diffused Dy/Tb)", "magnet", MAGNET_PENALTY, ASSUMPTION,
     "Shortage penalty assumed 2 M USD/t: a tonne of magnets equips about 700 EV traction "
     "motors (about 1.5 kg each); about 10 % margin on a 30,000 USD car is 2.1 M USD, the "
     "output lost for want of a tonne (the oxides keep the setting's 5 M USD/t)"),
]
NDPR, DY, TB, METAL, MAGNET = (m[0] for m in MATERIALS)

# --------------------------------------------------------------------------- Buyers
BUYERS = [  # sequential mode plans in this order: Japan first
    ("Japan", "JOGMEC and Japanese magnet makers"),
    ("EU", "EU joint purchasing under the CRMA (EU Raw Materials Platform members)"),
]
BUYER_NAMES = [b for b, _ in BUYERS]

# --------------------------------------------------------------------------- Suppliers
CHINA, CHINA_MM = "China refiners", "China refiners (Myanmar ore)"
LYNAS, MP, SILMET = "Lynas Malaysia", "MP Materials", "Neo Silmet"
SOLVAY, CAREMAG, SERRA = "Solvay La Rochelle", "Carester Caremag", "Serra Verde"
VTRE, EU_REC, JP_REC = "VTRE", "EU magnet recyclers", "Japan magnet recyclers"
CHINA_METAL, CHINA_MAG = "China metal makers", "China magnet makers"
JP_MAG, VN_MAG = "Japanese magnet makers", "Shin-Etsu Vietnam"
STAR_MAG, KR_MAG, MY_MAG = "Star Group Vietnam", "Korean magnet makers", "Lynas-JS Link"
VN_METAL = "SEONG-AN Vietnam"

# supplier, country, origin (blank: same as country), description, source, note
SUPPLIERS = [
    (CHINA, "China", None, "Chinese separators and refiners working domestic ore "
     "(export-licensed)", USGS_CHINA, "Origin blank: mined in China"),
    (CHINA_MM, "China", "Myanmar", "Chinese separators working Myanmar ionic-clay "
     "concentrate, the main feed of Chinese Dy/Tb", USGS_BURMA,
     "Refined in China, so the China country cap counts it; the myanmar-outage "
     "disruption hits it through its origin"),
    (LYNAS, "Malaysia", "Australia", "Lynas Rare Earths: Mt Weld ore, separated in "
     "Malaysia", LYNAS_CAPACITY, ""),
    (MP, "United States", None, "MP Materials, Mountain Pass (California)", MP_OUTPUT, ""),
    (SILMET, "Estonia", None, "Neo Performance Materials, Silmet separation plant "
     "(Sillamae)", USGS_ESTONIA, "Feed imported; only light rare earths separated"),
    (SOLVAY, "France", None, "Solvay rare-earth separation plant, La Rochelle", ASSUMPTION,
     "Separation restarted incl. heavy rare earths in 2025; feed imported"),
    (CAREMAG, "France", None, "Carester Caremag, Lacq: separation of recycled magnets and "
     "concentrates", ASSUMPTION, "Start-up assumed 2027"),
    (SERRA, "Brazil", None, "Serra Verde ionic-clay project (Goias), magnet rare earths "
     "separated outside China under a toll agreement", SERRA_VERDE,
     "Assumption: the concentrate is toll-separated outside China (hence country Brazil "
     "and lead time 1 on Routes)"),
    (VTRE, "Vietnam", None, "Vietnam Rare Earth JSC separation plant (Hanoi)", USGS_VIETNAM,
     "Vietnamese mine output is small; feed assumed partly imported"),
    (EU_REC, "Germany", None, "EU magnet recyclers (swarf and end-of-life magnets to "
     "oxide)", CRMA_RECYCLING, "Country: where the plants are"),
    (JP_REC, "Japan", None, "Japanese magnet-scrap recycling (mainly production swarf)",
     ASSUMPTION, "Country: where the plants are"),
    # the metal and magnet stages (SPEC 3.2): bought finished, or made in the plants on the
    # Processing sheet
    (CHINA_METAL, "China", None, "Chinese NdPr metal makers (molten-salt electrolysis)",
     FASTMARKETS_METAL, "China makes most of the world's rare-earth metal"),
    (CHINA_MAG, "China", None, "Chinese sintered NdFeB magnet makers", ADAMAS_EXPORTS,
     "Origin blank: mined in China; the oxide and metal inside are not tracked"),
    (JP_MAG, "Japan", None, "Japanese magnet makers (Shin-Etsu, Proterial, TDK, Daido) "
     "selling finished magnets abroad", JAPAN_MAGNET_SHARE,
     "Origin blank; their oxide comes mostly from China and Lynas"),
    (VN_MAG, "Vietnam", None, "Shin-Etsu Magnetic Materials Vietnam (Hai Phong), separation "
     "and sintering", SHIN_ETSU_VN, ""),
    (STAR_MAG, "Vietnam", None, "Star Group Industries' SGI Vina magnet plant, Quang Nam",
     STAR_GROUP_VN, "Origin blank; its oxide and metal are not tracked"),
    (KR_MAG, "South Korea", None, "Korean sintered-magnet makers (Seonglim Hyeonpung; "
     "SEONG-AN Daegu)", KOREA_MAGNETS, "Origin blank; Korea buys most of its oxide from "
     "China"),
    (MY_MAG, "Malaysia", None, "Planned Lynas and JS Link magnet plant, Kuantan",
     LYNAS_JSLINK, "Origin blank: fed by Lynas Malaysia's separated NdPr (Australian ore)"),
    (VN_METAL, "Vietnam", None, "SEONG-AN's NdPr metal plant, Binh Duong", SEONG_AN_METAL,
     "Fed with MP Materials' NdPr oxide (240 t contract); origin blank"),
]

# --------------------------------------------------------------------------- Supply
# Recycled oxide per tonne of magnet scrap: magnet content x oxide/metal mass ratio x 90 %
# recovery (content as in the Demand notes: NdPr 26 %, Dy 1.2 %, Tb 0.3 %).
RECOVERY = 0.9
OXIDE_PER_METAL = {NDPR: 1.166, DY: 1.148, TB: 1.176}  # Nd2O3/2Nd, Dy2O3/2Dy, Tb4O7/4Tb
SCRAP_CONTENT = {NDPR: 0.26, DY: 0.012, TB: 0.003}
EU_SCRAP = [1000, 1500, 2000, 2700, 3400, 4100, 4800, 5500, 6200, 7000]  # t magnets / yr
JP_SCRAP = [2200, 2400, 2600, 2800, 3000, 3200, 3400, 3600, 3800, 4000]


def recycled(scrap: list[float], material: str) -> list[float]:
    per_t = SCRAP_CONTENT[material] * OXIDE_PER_METAL[material] * RECOVERY
    return [round(s * per_t) for s in scrap]


# Caremag (Lacq): the whole heavy-rare-earth output is financed only against term
# contracts for nearly all of it. JOGMEC/Iwatani's 250 t Dy and 45 t Tb a year are about
# half of it (CAREMAG_JOGMEC); the bankable minimum of 90 % is more than either partner
# uses, so only the coalition can sign (scenarios/README.md).
CAREMAG_DEAL = "caremag-lacq"
NARVA_UPFRONT = 120_000_000  # USD, see the Deals note
CAREMAG_UPFRONT = 120_000_000  # USD: JOGMEC/Iwatani's EUR 110 mn (CAREMAG_JOGMEC)
CAREMAG_PRICE = {DY: 215_000, TB: 909_000}  # USGS 2025e FOB China less 10 %, rounded
CAREMAG_SUPPLY_NOTE = (
    "Under deal caremag-lacq. Capacity: JOGMEC's {japan}/yr is about half the plant's "
    "heavy-rare-earth output, so {full} t/yr at full rate (2028), {first} t in 2027 "
    "(start-up late 2026); min_offtake = the bankable 90 % of capacity; price assumed "
    "10 % below USGS 2025e FOB China: the investors' return taken as a price discount "
    "(on the whole output, about 21 m USD a year, it repays the 120 m upfront in under "
    "seven years at the 3 % discount rate)")

# supplier, material, tier, capacity (a number: every period; a list: from 2026 on, the
# last value holding after), price USD/t, min_offtake (a number, or a list like
# capacity), source, note
SUPPLY = [
    # China: large and cheapest, at the USGS 2025e FOB China price
    (CHINA, NDPR, 1, 30_000, 69_000, None, USGS_NDPR_PRICE,
     "Capacity: the part of China's NdPr oxide output (about 20 % of its 270,000 t REO "
     "quota) open to the coalition; deliberately not binding"),
    (CHINA, DY, 1, 350, 239_000, None, USGS_DY_PRICE,
     "Capacity assumed: Dy from domestic ionic clays that China would export to the "
     "coalition (oxide or in magnets)"),
    (CHINA, TB, 1, 90, 1_010_000, None, USGS_TB_PRICE,
     "Capacity assumed, as for Dy"),
    (CHINA_MM, NDPR, 1, 2_500, 69_000, None, USGS_NDPR_PRICE,
     "Capacity: about 22,000 t REO (USGS 2025e) x ~20 % NdPr, half open to the coalition"),
    (CHINA_MM, DY, 1, 450, 239_000, None, USGS_DY_PRICE,
     "Capacity: 22,000 t REO x ~4 % Dy2O3 in ionic clay, about half open to the "
     "coalition"),
    (CHINA_MM, TB, 1, 100, 1_010_000, None, USGS_TB_PRICE,
     "Capacity: 22,000 t REO x ~0.7 % Tb4O7 in ionic clay, about 2/3 open to the "
     "coalition"),
    # Lynas: tier 1 = the Japan priority tranche, tier 2 = the rest of the output
    (LYNAS, NDPR, 1, 7_200, 75_000, 3_000, LYNAS_JAPAN_NDPR,
     "Tier 1 = Japan's priority volume, open to Japan only (Supply buyers): the EU gets "
     "it only through Sharing; min_offtake "
     "3,000 t = assumed take-or-pay core of the JARE/Sojitz offtake (about half of FY2023 "
     "output); price assumed 75 USD/kg, ~9 % above USGS FOB China"),
    (LYNAS, NDPR, 2, [500, 1_500, 2_300], 82_000, None, LYNAS_CAPACITY,
     "Output above the priority tranche as Malaysia ramps to 10,500 t/yr; ~90 % of "
     "capacity open to the coalition; price assumed 82 USD/kg"),
    (LYNAS, DY, 1, [65, 78, 88], 300_000, None, LYNAS_JAPAN_HRE,
     "65 % Japan tranche of Lynas Dy output assumed 100 / 120 / 135 t (2026 / 2027 / "
     "2028+): sized so that 65 % of it is about 30 % of Japan's Dy demand (METI); "
     "price assumed 300 USD/kg"),
    (LYNAS, DY, 2, [35, 42, 47], 340_000, None, LYNAS_HRE,
     "The other 35 % of Lynas Dy output; price assumed 340 USD/kg"),
    (LYNAS, TB, 1, [14, 17, 20], 1_250_000, None, LYNAS_JAPAN_HRE,
     "65 % Japan tranche of Lynas Tb output assumed 22 / 26 / 30 t (2026 / 2027 / "
     "2028+), about 30 % of Japan's Tb demand; price assumed 1,250 USD/kg"),
    (LYNAS, TB, 2, [8, 9, 10], 1_400_000, None, LYNAS_HRE,
     "The other 35 % of Lynas Tb output; price assumed 1,400 USD/kg"),
    # MP Materials: most output goes to US magnet making; priced at the DoD floor
    (MP, NDPR, 1, [500, 800, 1_000], 110_000, None, DOD_MP,
     "Open to the coalition: assumed 500 -> 1,000 t (MP made 1,294 t in 2024; most output "
     "feeds US magnet plants); price = the DoD floor"),
    (MP, DY, 1, [10, 20, 40], 330_000, None, USGS_US,
     "Assumed heavy rare-earth separation at Mountain Pass from 2026; price assumed "
     "330 USD/kg"),
    (MP, TB, 1, [3, 5, 10], 1_350_000, None, USGS_US,
     "Assumed, as for Dy; price assumed 1,350 USD/kg"),
    # Europe
    (SILMET, NDPR, 1, 600, 80_000, None, USGS_ESTONIA,
     "Capacity assumed (Silmet separates light rare earths from imported feed); price "
     "assumed 80 USD/kg"),
    (SOLVAY, NDPR, 1, [500, 800, 1_000, 1_200, 1_500], 85_000, None, ASSUMPTION,
     "Assumed ramp to 1,500 t/yr by 2030; price assumed 85 USD/kg"),
    (SOLVAY, DY, 1, [50, 50, 55, 60], 350_000, None, ASSUMPTION,
     "Assumed; heavy rare-earth line restarted 2025; price assumed 350 USD/kg"),
    (SOLVAY, TB, 1, [12, 12, 14, 15], 1_400_000, None, ASSUMPTION,
     "Assumed; price assumed 1,400 USD/kg"),
    (CAREMAG, NDPR, 1, [0, 300, 600], 90_000, None, ASSUMPTION,
     "Assumed start 2027, full rate 2028; price assumed 90 USD/kg"),
    # Caremag's heavy rare earths exist only under the deal CAREMAG_DEAL (Deals sheet)
    (CAREMAG, DY, 1, [0, 250, 500], CAREMAG_PRICE[DY], [0, 225, 450], CAREMAG_JOGMEC,
     CAREMAG_SUPPLY_NOTE.format(japan="250 t Dy", full="500", first="250")),
    (CAREMAG, TB, 1, [0, 45, 90], CAREMAG_PRICE[TB], [0, 40, 81], CAREMAG_JOGMEC,
     CAREMAG_SUPPLY_NOTE.format(japan="45 t Tb", full="90", first="45")),
    # Brazil: tier 2 is the assumed expansion
    (SERRA, NDPR, 1, [600, 800, 1_000], 78_000, None, SERRA_VERDE,
     "~5,000 t/yr REO x ~20 % NdPr at full rate (2028), 60 % in 2026; price incl. tolling "
     "assumed 78 USD/kg"),
    (SERRA, NDPR, 2, [0, 0, 400], 88_000, None, USGS_BRAZIL,
     "Assumed expansion from 2028; price assumed 88 USD/kg"),
    (SERRA, DY, 1, [25, 40, 60], 310_000, None, SERRA_VERDE,
     "5,000 t/yr REO x ~1.2 % Dy2O3 at full rate; price assumed 310 USD/kg"),
    (SERRA, TB, 1, [5, 8, 12], 1_300_000, None, SERRA_VERDE,
     "5,000 t/yr REO x ~0.24 % Tb4O7 at full rate; price assumed 1,300 USD/kg"),
    # Vietnam
    (VTRE, NDPR, 1, 500, 74_000, None, USGS_VIETNAM, "Capacity and price (74 USD/kg) "
     "assumed"),
    (VTRE, DY, 1, 20, 280_000, None, USGS_VIETNAM, "Capacity and price (280 USD/kg) "
     "assumed"),
    (VTRE, TB, 1, 5, 1_150_000, None, USGS_VIETNAM, "Capacity and price (1,150 USD/kg) "
     "assumed"),
    # Recycling: capacity from the scrap tonnages above
    (EU_REC, NDPR, 1, recycled(EU_SCRAP, NDPR), 95_000, None, CRMA_RECYCLING,
     "Magnet scrap processed assumed 1,000 t (2026) -> 7,000 t (2035) x 26 % NdPr x 1.166 "
     "oxide/metal x 90 % recovery; price assumed 95 USD/kg"),
    (EU_REC, DY, 1, recycled(EU_SCRAP, DY), 380_000, None, CRMA_RECYCLING,
     "Scrap as for NdPr x 1.2 % Dy x 1.148 x 90 %; price assumed 380 USD/kg"),
    (EU_REC, TB, 1, recycled(EU_SCRAP, TB), 1_500_000, None, CRMA_RECYCLING,
     "Scrap as for NdPr x 0.3 % Tb x 1.176 x 90 %; price assumed 1,500 USD/kg"),
    (JP_REC, NDPR, 1, recycled(JP_SCRAP, NDPR), 90_000, None, ASSUMPTION,
     "Magnet scrap (mostly swarf) assumed 2,200 t (2026) -> 4,000 t (2035) x 26 % NdPr x "
     "1.166 x 90 %; price assumed 90 USD/kg"),
    (JP_REC, DY, 1, recycled(JP_SCRAP, DY), 360_000, None, ASSUMPTION,
     "Scrap as for NdPr x 1.2 % Dy x 1.148 x 90 %; price assumed 360 USD/kg"),
    (JP_REC, TB, 1, recycled(JP_SCRAP, TB), 1_450_000, None, ASSUMPTION,
     "Scrap as for NdPr x 0.3 % Tb x 1.176 x 90 %; price assumed 1,450 USD/kg"),
]

# Magnets bought finished: China's at the content of the magnet at China prices plus a
# conversion margin; non-Chinese ones at the premiums Reuters reports (EX_CHINA_PREMIUM)
CHINA_MAGNET_PRICE = 45_000  # USD/t, see the note on its Supply row
METAL_PRICE = 85_000  # USD/t, China's NdPr metal, see the note on its Supply row
SUPPLY += [
    (CHINA_METAL, METAL, 1, 5_000, METAL_PRICE, None, FASTMARKETS_METAL,
     "Price: the USGS 2025e oxide price x 1.24, Fastmarkets' metal/oxide ratio (67/54) "
     "= 85.6 USD/kg, rounded; capacity assumed, the part open to the coalition"),
    (CHINA_MAG, MAGNET, 1, 25_000, CHINA_MAGNET_PRICE, None, ADAMAS_EXPORTS,
     "Capacity assumed: 25,000 t of China's 58,000 t of magnet exports (the EU takes "
     "about 17,000 t, ECA). Price assumed: content at China prices (0.30 t NdPr metal x "
     "85,000 + 0.013 t Dy oxide x 239,000 + 0.0035 t Tb oxide x 1,010,000 = 32,100) plus "
     "about 13 USD/kg of conversion"),
    (JP_MAG, MAGNET, 1, 1_500, 65_000, None, EX_CHINA_PREMIUM,
     "Capacity assumed: what Japanese makers sell to the EU beside their home market; "
     "price = the Chinese magnet + 20 USD/kg, mid-range of the 10-30 USD/kg premium"),
    (VN_MAG, MAGNET, 1, 1_000, 53_000, None, SHIN_ETSU_VN,
     "Capacity assumed: about half of the 2,200 t/yr plant; price = the Chinese magnet "
     "+ 17.5 %, mid-range of the 15-20 % premium for Vietnam-made magnets "
     "(EX_CHINA_PREMIUM)"),
    (STAR_MAG, MAGNET, 1, 2_000, 53_000, None, STAR_GROUP_VN,
     "Capacity assumed: half of the 4,000 t/yr plant open to the coalition (its owners "
     "supply Korean buyers); price as Shin-Etsu Vietnam's"),
    (KR_MAG, MAGNET, 1, [500, 1_000], 55_000, None, KOREA_MAGNETS,
     "Capacity assumed: half of Seonglim's 1,000 t/yr and of SEONG-AN's planned 1,000 t/yr "
     "(from 2027) open to the coalition; price = the Chinese magnet + 22 %, a little above "
     "the Vietnam premium (EX_CHINA_PREMIUM)"),
    (MY_MAG, MAGNET, 1, [0, 0, 0, 1_500], 57_000, None, LYNAS_JSLINK,
     "Planned (non-binding MoU): from 2029, assumed; half of 3,000 t/yr open to the "
     "coalition; price = the Chinese magnet + 12 USD/kg (assumed, the low end of Neo's "
     "10-30 USD/kg premium plus freight savings from Lynas's own NdPr)"),
    (VN_METAL, METAL, 1, [144, 144, 720], 98_000, None, SEONG_AN_METAL,
     "Capacity: 144 t/yr, 720 t from 2028 assumed; price = China's metal + 15 %, the "
     "premium for Vietnam-made magnets (EX_CHINA_PREMIUM) taken for metal (assumed)"),
]

# --------------------------------------------------------------------------- Processing
# facility, country, output, {input: t per t of output}, capacity (a number, or a list
# from 2026 on), fee USD/t of output, source, note
NARVA, NARVA_2, LCM = "Neo Narva", "Neo Narva phase 2", "Less Common Metals"
NARVA_DEAL = "narva-phase-2"
MAGNET_RECIPE = {METAL: 0.30, DY: 0.013, TB: 0.0035}
PROCESSING = [
    (NARVA, "Estonia", MAGNET, MAGNET_RECIPE, [500, 2_000], 25_000, NEO_NARVA,
     "Capacity: 2,000 t/yr phase 1, 500 t in the ramp-up year 2026 (assumed). Recipe "
     "(MAGNET_CONTENT): 0.30 t NdPr metal, Dy and Tb as in the Demand notes (1.0 % and "
     "0.25 % of the magnet, as oxide x 1.148 / 1.176 x 1.15 for losses). Fee assumed "
     "25 USD/kg: China's 13 USD/kg conversion plus 12 USD/kg, inside the 10-30 USD/kg "
     "premium Neo's customers pay (EX_CHINA_PREMIUM)"),
    (NARVA_2, "Estonia", MAGNET, MAGNET_RECIPE, [0, 0, 3_000], 25_000, NARVA_PHASE2,
     "The phase 2 expansion from 2,000 to 5,000 t/yr, under deal narva-phase-2: 3,000 t/yr "
     "from 2028 (assumed: two years to build); recipe and fee as phase 1"),
    (LCM, "United Kingdom", METAL, {NDPR: 1.20}, [110, 110, 330], 10_000, LCM_METAL,
     "Capacity: 2 cells x 55 t/yr, 6 cells (330 t) assumed from 2028. Recipe: 1.177 t "
     "NdPr oxide per t of metal by stoichiometry (75:25), 1.20 with losses (assumed). Fee "
     "assumed 10 USD/kg, mid-range of 5-15 USD/kg (China's metal-oxide spread is about "
     "3.5 USD/kg: 67 - 1.177 x 54, FASTMARKETS_METAL)"),
]

# --------------------------------------------------------------------------- Demand
# buyer, material: 2026 demand (t oxide), growth a year, source, note
JAPAN_NOTE = ("Assumption: Japan's magnet-equivalent use taken as 18,000 t NdFeB a year "
              "(order of magnitude of Japan's rare-earth imports, ~8,000-10,000 t/yr, plus "
              "the 7,200 t Lynas priority volume); x {content} x {ratio} oxide/metal = "
              "{base} t in 2026, growing 3 %/yr")
EU_NOTE = ("Assumption: the 2,000 t of ECA's 20,000 t of magnets used by EU industry that "
           "EU magnet makers (VAC) make from oxide, x {content} x {ratio} oxide/metal = "
           "{base} t in 2026, growing 5 %/yr; the other 18,000 t are bought finished (the "
           "NdFeB magnet row)")
EU_MAGNET_NOTE = ("ECA: 20,000 t of magnets used by EU industry in 2024, 17,000 t from "
                  "China; 18,000 t assumed bought finished (China's 17,000 and 1,000 from "
                  "Japan and others; EC_MAGNETS: 98 % of demand met from China), the other "
                  "2,000 t made in the EU from oxide (the oxide rows); growing 5 %/yr")
DEMAND = [
    ("Japan", NDPR, 5_500, 0.03, ARGUS_JAPAN,
     JAPAN_NOTE.format(content="26 % NdPr", ratio="1.166", base="5,500")),
    ("Japan", DY, 290, 0.03, ARGUS_JAPAN,
     JAPAN_NOTE.format(content="1.4 % Dy (EV grades)", ratio="1.148", base="290")),
    ("Japan", TB, 64, 0.03, ARGUS_JAPAN,
     JAPAN_NOTE.format(content="0.3 % Tb", ratio="1.176", base="64")),
    ("EU", NDPR, 610, 0.05, ECA_MAGNETS,
     EU_NOTE.format(content="26 % NdPr", ratio="1.166", base="610")),
    ("EU", DY, 23, 0.05, ECA_MAGNETS,
     EU_NOTE.format(content="1.0 % Dy", ratio="1.148", base="23")),
    ("EU", TB, 6, 0.05, ECA_MAGNETS,
     EU_NOTE.format(content="0.25 % Tb", ratio="1.176", base="6")),
    ("EU", MAGNET, 18_000, 0.05, ECA_MAGNETS, EU_MAGNET_NOTE),
]


def demand(base: float, growth: float, period: int) -> int:
    return round(base * (1 + growth) ** (period - FIRST))


# --------------------------------------------------------------------------- Routes
# freight USD/t all-in (sea freight, insurance, handling), assumed; tariffs 0 (see note)
FREIGHT = {  # supplier: (to Japan, to EU)
    CHINA: (800, 1_500), CHINA_MM: (800, 1_500), LYNAS: (1_000, 1_500),
    MP: (1_500, 1_500), SILMET: (1_800, 300), SOLVAY: (1_800, 300), CAREMAG: (1_800, 300),
    SERRA: (2_000, 1_500), VTRE: (800, 1_500), EU_REC: (1_800, 200), JP_REC: (200, 1_800),
    CHINA_METAL: (800, 1_500), CHINA_MAG: (800, 2_000), JP_MAG: (300, 2_500),
    VN_MAG: (800, 2_000), STAR_MAG: (800, 2_000), KR_MAG: (500, 2_000),
    MY_MAG: (1_000, 2_000), VN_METAL: (800, 1_500),
}
LEAD_TIME = {SERRA: 1}  # whole years; every other route delivers in the year of purchase
TARIFF_NOTE = ("Tariff 0: rare-earth compounds assumed to enter Japan and the EU duty-free "
               "(MFN or EPA/FTA rates; check the current schedules)")

# --------------------------------------------------------------------------- Stockpile
HOLDING_SHARE = 0.025  # storage and insurance a year, as a share of the USGS 2025e price
PRICE_2025 = {NDPR: 69_000, DY: 239_000, TB: 1_010_000}
# magnets and metal may be held at a holding cost, with no floor: no public reserve target
# names them (magnet_stock)
JAPAN_DAYS = 60  # JOGMEC target
EU_DAYS = {"*": 45, 2026: 15, 2027: 30}  # build-up of a new EU reserve (assumption)
EU_INITIAL_DAYS = 15  # commercial inventories at the start (assumption)

# --------------------------------------------------------------------------- Policies
# policy, kind, target, buyer, material, share, scope, penalty, active, source, note
SOFT_CAP_PENALTY = 1_000_000  # USD/t over the cap
POLICIES = [
    ("country-cap", "max_country_share", "China", "*", "*", 0.65, "period", None, "no", CRMA,
     "Hard cap at the oxide stage, each buyer and oxide separately, every year; switched "
     "on by strategy crma-65. Feasible in every year: non-Chinese capacity is at least "
     "35 % of the coalition's purchases for each oxide (see scenarios/README.md)",
     "oxide"),
    ("country-cap-soft", "max_country_share", "China", "*", "*", 0.65, "period",
     SOFT_CAP_PENALTY, "no", CRMA,
     "The CRMA figure is a benchmark, not a hard law: this soft version costs 1 M USD per "
     "tonne over the cap, more than any non-Chinese premium, so it binds whenever it can "
     "and never makes a sweep infeasible; strategy crma-65-soft", "oxide"),
    ("origin-cap", "max_origin_share", "China", "*", "*", 0.65, "period", None, "no", CRMA,
     "The same cap on the country of mining ('any relevant stage'); inactive, implied by "
     "country-cap since every China-origin supplier also refines in China", "oxide"),
    ("supplier-cap", "max_supplier_share", "*", "coalition", "*", 0.5, "period", None, "no",
     ASSUMPTION, "No single supplier above half of the coalition's purchases of an oxide; "
     "inactive, for sensitivity runs", "oxide"),
    # SPEC 3.2: "at any relevant stage of processing": the metal and the magnets a partner
    # acquires, bought (by the supplier's country) or made (by the plant's)
    ("country-cap-metal", "max_country_share", "China", "*", "*", 0.65, "period", None, "no",
     CRMA, "The CRMA cap at the metal stage; strategy crma-65-stages", "metal"),
    ("country-cap-magnet", "max_country_share", "China", "*", "*", 0.65, "period", None,
     "no", CRMA, "The CRMA cap at the magnet stage: magnets bought from China against all "
     "magnets bought or made; strategy crma-65-stages", "magnet"),
]

# --------------------------------------------------------------------------- Sharing
# material: (cost USD/t, max t/yr) each way between Japan and the EU, assumed
SHARING = {NDPR: (2_000, 500), DY: (5_000, 25), TB: (20_000, 6)}
SHARING_NOTE = ("Assumed: sea freight Japan-Europe plus handling and ~2 % of value for "
                "insurance; max = what a reserve manager could release a year (about 2-3 "
                "weeks of the receiving partner's use)")

# Offers reserved to Japan (Supply `buyers`): the Lynas priority tranches agreed with
# JARE/Sojitz (LYNAS_JAPAN_NDPR, LYNAS_JAPAN_HRE); the EU reaches them only through Sharing
JAPAN_ONLY = {(LYNAS, NDPR, 1), (LYNAS, DY, 1), (LYNAS, TB, 1)}
DEAL_OF = {(CAREMAG, DY, 1): CAREMAG_DEAL, (CAREMAG, TB, 1): CAREMAG_DEAL}
PLANT_DEAL = {NARVA_2: NARVA_DEAL}  # facility: the deal that finances it

# --------------------------------------------------------------------------- Discounts
# supplier, material, basis, type, [(from_quantity t/yr, price USD/t)], source, note
DISCOUNTS = [
    (SILMET, NDPR, "period", "all-units", [(300, 77_000), (500, 74_000)], ASSUMPTION,
     "Assumed price list for a yearly contract volume: 80 USD/kg below 300 t, 77 from "
     "300 t, 74 from 500 t on every tonne of the year (all-units). Either partner's own "
     "share of Silmet's 600 t reaches at most the first break; pooled volume the second"),
]

# --------------------------------------------------------------------------- Deals
# deal, supplier, upfront_cost, fixed_cost, signable_by, description, source, note
DEALS = [
    (CAREMAG_DEAL, CAREMAG, CAREMAG_UPFRONT, 0, None,
     "Equity and prepayment for Caremag's Lacq separation and recycling plant against "
     "term contracts for its Dy and Tb", CAREMAG_JOGMEC,
     "Upfront = JOGMEC/Iwatani's EUR 110 mn (USD 120 mn), paid in 2027, the first year of "
     "deliveries; France's EUR 106 mn grant is public money outside the buyers' cost. "
     "Signable by either partner alone or by both; see the Supply notes for volumes"),
    (NARVA_DEAL, NARVA_2, NARVA_UPFRONT, 0, None,
     "Co-financing Neo's phase 2 at Narva (2,000 to 5,000 t/yr of magnets) against the "
     "right to its capacity", NARVA_PHASE2,
     "Upfront assumed: phase 1's EUR 75 m for 2,000 t/yr scaled to 3,000 t/yr, EUR 112 m, "
     "about USD 120 m, paid in 2028, its first year. Signable by either partner or both"),
]

# --------------------------------------------------------------------------- Strategies
# strategy, sheet, where, column, value, note
STRATEGIES = [
    ("joint", "Settings", None, "coordination", "joint",
     "Same as base, explicit: one plan for both partners, capacity pooled, stock shared"),
    ("pro-rata", "Settings", None, "coordination", "pro-rata",
     "Each partner alone on its demand-weighted share of every offer"),
    ("sequential", "Settings", None, "coordination", "sequential",
     "Japan plans first, the EU buys what is left"),
    ("crma-65", "Policies", "policy=country-cap", "active", "yes",
     "CRMA 65 % single-country benchmark as a hard rule"),
    ("crma-65-soft", "Policies", "policy=country-cap-soft", "active", "yes",
     "CRMA benchmark as a soft rule (penalty per tonne over the cap)"),
    ("stock-90d", "Stockpile", f"material={NDPR}", "min_days", 90,
     "90 days of cover for both partners and every oxide from 2026 (the reserve holds "
     "oxides; magnets and metal keep no floor)"),
    ("stock-90d", "Stockpile", f"material={DY}", "min_days", 90, ""),
    ("stock-90d", "Stockpile", f"material={TB}", "min_days", 90, ""),
    ("no-new-china", "Suppliers", "country=China", "active", "no",
     "No new Chinese contracts (both Chinese suppliers); demand not met runs short at the "
     "shortage penalty"),
    ("robust", "Settings", None, "robust", "expected",
     "Minimise expected cost over the Disruptions sheet"),
    ("crma-65-robust", "Policies", "policy=country-cap", "active", "yes",
     "CRMA cap and robust planning together"),
    ("crma-65-robust", "Settings", None, "robust", "expected", ""),
    ("crma-65-alone", "Policies", "policy=country-cap", "active", "yes",
     "The CRMA cap with each partner planning alone on its pro-rata share: against "
     "crma-65, the value of planning together when diversifying (scenarios/README.md)"),
    ("crma-65-alone", "Settings", None, "coordination", "pro-rata", ""),
    ("crma-65-stages", "Policies", "policy=country-cap", "active", "yes",
     "The CRMA cap at the oxide, metal and magnet stages together (SPEC 3.2)"),
    ("crma-65-stages", "Policies", "policy=country-cap-metal", "active", "yes", ""),
    ("crma-65-stages", "Policies", "policy=country-cap-magnet", "active", "yes", ""),
]

# --------------------------------------------------------------------------- Disruptions
# scenario, probability, supplier, country, material, start, end, capacity_factor,
# price_factor, source, note[, buyer: the partner a row is aimed at]
DISRUPTIONS = [
    ("china-hree-export-controls", 0.15, None, "China", DY, 2027, 2028, 0.1, 3.0,
     SMM_APR_2025, "Chinese export licensing of heavy rare earths held for two years: "
     "only 10 % of Chinese Dy (incl. Myanmar-ore) still shipped abroad (the April 2025 "
     "controls stopped licensed exports for weeks; a lasting regime assumed); price x3 "
     "as in Europe in April 2025"),
    ("china-hree-export-controls", 0.15, None, "China", TB, 2027, 2028, 0.1, 2.5,
     SMM_APR_2025, "As for Dy; Tb 'more than doubled' -> x2.5"),
    ("myanmar-outage", 0.10, None, "Myanmar", "*", 2028, 2029, 0.2, 1.5, USGS_BURMA,
     "Conflict in Myanmar's Kachin mining areas stops most ore shipments to China "
     "(output already fell 27,000 -> 22,000 t in 2025); hits the Myanmar-ore Chinese "
     "supplier through its origin; price factor assumed"),
    ("lynas-outage", 0.05, LYNAS, None, "*", 2029, 2029, 0.3, 1.2, LYNAS_CAPACITY,
     "One year at 30 % in Malaysia (licence dispute or plant failure); factors assumed"),
    ("china-embargo", 0.03, None, "China", "*", 2030, 2030, 0.2, 3.0, SMM_APR_2025,
     "One-year halt of most Chinese exports of all three oxides; factors assumed, price "
     "by analogy with April 2025"),
    ("china-embargo-on-japan", 0.05, None, "China", "*", 2031, 2031, 0.2, 3.0, GTA_2010,
     "Chinese exports to Japan alone held for a year, as for two months in Sep-Nov 2010 "
     "(a longer hold assumed: 20 % still shipped); Japan's spot price x3 as in April "
     "2025; the EU's Chinese supply untouched, so the EU may pass stock on through "
     "Sharing; probability assumed", "Japan"),
]


# --------------------------------------------------------------------------- writing
def header(sheet: str, middle: list[Any] | None = None) -> list[Any]:
    """The sheet's columns as the schema declares them, then source and note.

    ``middle`` replaces ``period`` and the value column by period labels (wide layout).
    """
    spec = SHEET_BY_NAME[sheet]
    names: list[Any] = list(spec.column_names)
    if middle is not None:
        names = [n for n in names if n not in ("period", spec.wide_value)] + middle
    return names + [c.name for c in ANNOTATIONS]


def rows_for(columns: list[Any], records: list[dict[Any, Any]]) -> list[list[Any]]:
    """Order each record's values as ``columns``; a key that is not a column is a bug."""
    out = []
    for rec in records:
        unknown = set(rec) - set(columns)
        if unknown:
            raise KeyError(f"not a column of this sheet: {sorted(map(str, unknown))}")
        out.append([None if rec.get(c) == "" else rec.get(c) for c in columns])
    return out


def supply_records() -> list[dict[str, Any]]:
    out = []
    for supplier, material, tier, capacity, price, min_offtake, source, note in SUPPLY:
        key = (supplier, material, tier)
        common = {"supplier": supplier, "material": material, "price": price, "tier": tier,
                  "min_offtake": min_offtake, "source": source, "note": note,
                  "buyers": "Japan" if key in JAPAN_ONLY else None,
                  "deal": DEAL_OF.get(key)}
        if isinstance(capacity, list):
            least = per_period(min_offtake) if isinstance(min_offtake, list) else {}
            for t, cap in per_period(capacity).items():
                if cap:  # no row before an offer starts
                    out.append({**common, "period": t, "capacity": cap,
                                **({"min_offtake": least[t]} if least else {})})
        else:
            out.append({**common, "period": "*", "capacity": capacity})
    return out


def processing_records() -> list[dict[str, Any]]:
    """One row per facility, output, input and period (SPEC 4.17): the recipe's rows
    repeat its capacity and fee."""
    out = []
    for facility, country, output, recipe, capacity, fee, source, note in PROCESSING:
        periods = per_period(capacity) if isinstance(capacity, list) else {"*": capacity}
        for t, cap in periods.items():
            if not cap:
                continue  # not built yet: no row, so a co-financed plant's term starts later
            for material, per_unit in recipe.items():
                out.append({"facility": facility, "country": country, "output": output,
                            "input": material, "input_per_output": per_unit,
                            "capacity": cap, "fee": fee, "lead_time": 0, "period": t,
                            "deal": PLANT_DEAL.get(facility), "source": source, "note": note})
    return out


def stockpile_records() -> list[dict[str, Any]]:
    out = []
    for buyer, material, base, _, _, _ in DEMAND:
        if material == MAGNET:
            out.append(magnet_stock(buyer, base))
            continue
        holding = int(round(HOLDING_SHARE * PRICE_2025[material], -2))
        held = (f"Holding {HOLDING_SHARE:.1%} of the USGS 2025e price a year (storage, "
                "insurance; capital cost is in the discount rate)")
        if buyer == "Japan":
            out.append({
                "buyer": buyer, "material": material, "period": "*",
                "initial": math.ceil(JAPAN_DAYS * base / DAYS), "min_days": JAPAN_DAYS,
                "holding_cost": holding, "source": JOGMEC,
                "note": f"Initial stock assumed at the 60-day target for 2026 demand. {held}"})
            continue
        for period, days in EU_DAYS.items():
            rec = {"buyer": buyer, "material": material, "period": period, "min_days": days,
                   "source": ASSUMPTION}
            if period == "*":
                rec.update(initial=math.ceil(EU_INITIAL_DAYS * base / DAYS),
                           holding_cost=holding,
                           note=f"Assumption: no EU strategic reserve yet; initial = "
                           f"{EU_INITIAL_DAYS} days of 2026 demand (commercial stocks); "
                           f"floor built up 15 -> 30 -> 45 days (2026, 2027, 2028+). {held}")
            else:
                rec["note"] = f"Build-up year {period}: {days} days"
            out.append(rec)
    # Whatever a partner may buy it may hold, at a cost: without one, stock bought in the
    # last year for its closing credit (the lowest landed price, SPEC 3.1) would cost
    # nothing net, and a plan could hold any amount of it for no reason
    held = {(r["buyer"], r["material"]) for r in out}
    for buyer in BUYER_NAMES:
        for material, price in ((METAL, METAL_PRICE), (MAGNET, CHINA_MAGNET_PRICE)):
            if (buyer, material) not in held:
                out.append({"buyer": buyer, "material": material, "period": "*",
                            "initial": 0, "min_days": 0,
                            "holding_cost": int(round(HOLDING_SHARE * price, -2)),
                            "source": ASSUMPTION, "note": "No floor and no stock at the "
                            "start (none is needed: no demand here, or metal held only on "
                            "its way to a magnet plant). Holding 2.5 % of China's price a "
                            "year, as for the oxides"})
    return out


def magnet_stock(buyer: str, base: float) -> dict[str, Any]:
    """Magnets may be held (makers and users keep weeks of them), at a holding cost, but
    no public reserve target exists for them: no floor."""
    return {"buyer": buyer, "material": MAGNET, "period": "*",
            "initial": math.ceil(EU_INITIAL_DAYS * base / DAYS), "min_days": 0,
            "holding_cost": int(round(HOLDING_SHARE * CHINA_MAGNET_PRICE, -2)),
            "source": ASSUMPTION,
            "note": f"Assumption: initial = {EU_INITIAL_DAYS} days of 2026 demand (users' "
            "and distributors' stocks); no floor (no public reserve target for magnets); "
            "holding 2.5 % of the Chinese magnet price a year, as for the oxides"}


def records() -> dict[str, tuple[list[Any], list[dict[Any, Any]]]]:
    """Every sheet in workbook order: (header, records)."""
    sheets: dict[str, tuple[list[Any], list[dict[Any, Any]]]] = {}
    sheets["Settings"] = (header("Settings"), [
        {"setting": s, "value": v, "source": src, "note": note}
        for s, v, src, note in SETTINGS])
    sheets["Periods"] = (header("Periods"), [
        {"period": t, "days": DAYS, "note": "Calendar year"} for t in PERIODS])
    sheets["Stages"] = (header("Stages"), [
        {"stage": st, "note": "Processing runs in this order"} for st in STAGES])
    sheets["Materials"] = (header("Materials"), [
        {"material": m, "description": d, "stage": st, "shortage_penalty": penalty,
         "source": src, "note": note} for m, d, st, penalty, src, note in MATERIALS])
    sheets["Buyers"] = (header("Buyers"), [
        {"buyer": b, "description": d} for b, d in BUYERS])
    sheets["Suppliers"] = (header("Suppliers"), [
        {"supplier": s, "country": c, "origin": o, "active": "yes", "description": d,
         "source": src, "note": note} for s, c, o, d, src, note in SUPPLIERS])
    deal_cols = ("deal", "supplier", "upfront_cost", "fixed_cost", "signable_by",
                 "description", "source", "note")
    sheets["Deals"] = (header("Deals"), [dict(zip(deal_cols, d, strict=True))
                                         for d in DEALS])
    sheets["Supply"] = (header("Supply"), supply_records())
    sheets["Discounts"] = (header("Discounts"), [
        {"supplier": sup, "material": mat, "period": "*", "basis": basis, "type": kind,
         "from_quantity": q, "price": price, "source": src, "note": note}
        for sup, mat, basis, kind, breaks, src, note in DISCOUNTS for q, price in breaks])
    wide = header("Demand", middle=list(PERIODS))
    sheets["Demand"] = (wide, [
        {"buyer": b, "material": m, **{t: demand(base, g, t) for t in PERIODS},
         "source": src, "note": note} for b, m, base, g, src, note in DEMAND])
    sheets["Processing"] = (header("Processing"), processing_records())
    sheets["Routes"] = (header("Routes"), [
        {"supplier": s, "buyer": b, "freight": FREIGHT[s][i], "tariff": 0,
         "lead_time": LEAD_TIME.get(s, 0), "open": "yes", "source": ASSUMPTION,
         "note": "Freight all-in (sea freight, insurance, handling), assumed. " + TARIFF_NOTE
         + (". Lead time 1: concentrate toll-separated before delivery"
            if LEAD_TIME.get(s) else "")}
        for s in FREIGHT for i, b in enumerate(BUYER_NAMES)])
    sheets["Stockpile"] = (header("Stockpile"), stockpile_records())
    policy_cols = ("policy", "kind", "target", "buyer", "material", "share", "scope",
                   "penalty", "active", "source", "note", "stage")
    sheets["Policies"] = (header("Policies"), [dict(zip(policy_cols, p, strict=True))
                                               for p in POLICIES])
    sheets["Sharing"] = (header("Sharing"), [
        {"from": a, "to": b, "material": m, "cost": cost, "max": most, "source": ASSUMPTION,
         "note": SHARING_NOTE}
        for a, b in (("Japan", "EU"), ("EU", "Japan")) for m, (cost, most) in SHARING.items()])
    strategy_cols = ("strategy", "sheet", "where", "column", "value", "note")
    sheets["Strategies"] = (header("Strategies"), [dict(zip(strategy_cols, s, strict=True))
                                                   for s in STRATEGIES])
    disruption_cols = ("scenario", "probability", "supplier", "country", "material", "start",
                       "end", "capacity_factor", "price_factor", "source", "note", "buyer")
    sheets["Disruptions"] = (header("Disruptions"), [
        dict(zip(disruption_cols, d, strict=False)) for d in DISRUPTIONS])
    return sheets


def build(path: Path = OUTPUT) -> Path:
    with atomic_workbook(path) as wb:
        for name, (columns, recs) in records().items():
            write_table(wb, name, [str(c) for c in columns], rows_for(columns, recs))
    return path


if __name__ == "__main__":
    target = build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
    print(f"wrote {target}")
