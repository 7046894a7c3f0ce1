"""Every new kind of comment of issue #18, in every widget language, scored on the right side of the
pipeline's thresholds by the shipped model: legitimate comments that look like spam or abuse are not held,
evasive spam and abuse are flagged. The sentences are the first of each language and kind in the held-out
set (tests/moderation/data/heldout.jsonl.gz, written from templates the training data never uses), not
picked by hand; the cells the model gets wrong are listed in KNOWN_MISSES (strict xfails: fixing one
fails the test until it is taken off the list). The held-out set's aggregate numbers have floors too."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from rejoinder.moderation.classifier import Classifier, Example
from rejoinder.moderation.rules import Policy

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "moderation" / "data" / "heldout.jsonl.gz"
POLICY = Policy(checks=())
KINDS = {
    "ordinary": "ham",
    "official_link": "ham",
    "money_story": "ham",
    "medicine_story": "ham",
    "correction": "ham",
    "problem_report": "ham",
    "strong_politics": "ham",
    "quote": "ham",
    "violent_idiom": "ham",
    "sarcasm": "ham",
    "spam_nolink": "spam",
    "spam_phone": "spam",
    "spam_obfuscated": "spam",
    "insult": "abuse",
    "dehumanising": "abuse",
}
# Measured misses of the shipped model on this table (docs/moderation.md has the per-kind rates): none
# since the second pass of issue #18; a miss found later goes here as a strict xfail.
KNOWN_MISSES: set[tuple[str, str]] = set()

CASES = [
    (
        "en",
        "ordinary",
        "@Tobias We discussed the new fuel tax at our residents' meeting last week and opinions were split. Most people want more detail before deciding.",
        "Vera Young",
        False,
    ),
    (
        "en",
        "official_link",
        "@Walter The ministry's own report (https://www.bls.gov/cpi/) contradicts what Minister Costa said about the hospital closures.",
        "civic_minded",
        False,
    ),
    (
        "en",
        "money_story",
        "I paid $65 for repairs after the flood and the insurer refused to cover it. That's why I care about the school funding bill.",
        "Ursula",
        True,
    ),
    (
        "en",
        "medicine_story",
        "My doctor switched me from my blood pressure pills to a generic and I still pay $300. Something is broken.",
        "Helen K.",
        False,
    ),
    (
        "en",
        "correction",
        "The chart mixes up thousands and millions; the budget line is 1,200 million, not 40 thousand.",
        "Liam Adams",
        True,
    ),
    (
        "en",
        "problem_report",
        "The map in this article doesn't load for me and the page keeps asking me to log in again.",
        "Samir Berg",
        True,
    ),
    (
        "en",
        "strong_politics",
        "What a corrupt, cynical plan. the mayor is selling out ordinary people and everyone can see it.",
        "Rita F.",
        False,
    ),
    (
        "en",
        "quote",
        'According to the minutes, Haddad told parliament: "people on benefits are parasites". Disgraceful language.',
        "Umar O.",
        False,
    ),
    (
        "en",
        "violent_idiom",
        "They shot down the energy price cap before anyone read it. The reform is dead in the water.",
        "Gabriel Petrov",
        True,
    ),
    (
        "en",
        "sarcasm",
        "Wonderful, now I can pay £40 more and wait twice as long. Thanks a lot, Senator Rossi.",
        "Hector",
        False,
    ),
    (
        "en",
        "spam_nolink",
        "Want a fast loan with no credit check? My mentor showed me how. Message me privately and thank me later.",
        "Chloe K.",
        True,
    ),
    (
        "en",
        "spam_phone",
        "Get your lover back in 48 hours with powerful prayers, call the healer on +44 7700 900123.",
        "Ivan Castillo",
        True,
    ),
    (
        "en",
        "spam_obfuscated",
        "W4nt a tea that melts away 2 kg in two weeks? My mentor shоwеd me how. Message me privately and THANK me later.",
        "Priya Hansen",
        False,
    ),
    ("en", "insult", "Lady, you're too worthless to understand anything. Get lost, loser.", "Yara", False),
    (
        "en",
        "dehumanising",
        "Our streets are full of the protesters. rats, all of them. Clean them out.",
        "Rahul F.",
        False,
    ),
    (
        "de",
        "ordinary",
        "Wir haben die Krankenhausreform letzte Woche im Mieterverein besprochen und die Meinungen waren geteilt. Die meisten wollen erst mehr Details sehen.",
        "Vera",
        False,
    ),
    (
        "de",
        "official_link",
        "Der eigene Bericht des Ministeriums (https://www.destatis.de/DE/Themen/Wirtschaft/Preise/) widerspricht dem, was Frau García über das neue Einwanderungsgesetz gesagt hat.",
        "Omar Hansen",
        False,
    ),
    (
        "de",
        "money_story",
        "@Amira Ich habe nach dem Hochwasser 1.200 Euro für Reparaturen bezahlt und die Versicherung hat abgelehnt. Darum ist mir die Mietpreisbremse wichtig.",
        "Anna Dubois",
        False,
    ),
    (
        "de",
        "medicine_story",
        "@Karin Mein Arzt hat mich von Methylphenidat auf ein Generikum umgestellt und ich zahle trotzdem 1.200 Euro. Da stimmt was nicht.",
        "quiet_voter",
        False,
    ),
    (
        "de",
        "correction",
        "In der Grafik sind Tausend und Millionen vertauscht; der Haushaltsposten beträgt 120 Millionen, nicht 40 Tausend.",
        "Liam Ferreira",
        False,
    ),
    (
        "de",
        "problem_report",
        "Die Karte in diesem Artikel lädt bei mir nicht und die Seite will ständig, dass ich mich neu anmelde.",
        "Rosa",
        True,
    ),
    (
        "de",
        "strong_politics",
        "Was für ein korrupter, zynischer Plan. Minister de Vries verkauft die kleinen Leute und alle sehen es.",
        "Nora",
        False,
    ),
    (
        "de",
        "quote",
        "Laut Protokoll sagte Minister Berg im Bundestag: „das ist eine Invasion“. Eine unsägliche Sprache.",
        "Mei Ito",
        False,
    ),
    (
        "de",
        "violent_idiom",
        "@Pavel Sie haben das Heizungsgesetz abgeschossen, bevor es jemand gelesen hat. Die Reform ist mausetot.",
        "Aaron E.",
        False,
    ),
    (
        "de",
        "sarcasm",
        "@David Wunderbar, jetzt zahle ich 65 Euro mehr und warte doppelt so lange. Vielen Dank auch, Frau Novak.",
        "Quentin Hansen",
        True,
    ),
    (
        "de",
        "spam_nolink",
        "Du willst einen Tee, mit dem 2 kg in zwei Wochen verschwinden? Mein Mentor hat mir gezeigt wie. Schreib mir privat und danke mir später.",
        "Yara",
        True,
    ),
    (
        "de",
        "spam_phone",
        "@Rita Hol deinen Partner in 48 Stunden zurück mit starken Gebeten, ruf den Heiler an: +49 151 5550 1234.",
        "riverbank_reader",
        True,
    ),
    (
        "de",
        "spam_obfuscated",
        "Du willst einen Sofortkredit ohne Schufa? Mein Mentor hat mir gezeigt wie. Melde d1ch jetzt bei mir und d\u200ba\u200bn\u200bk\u200be mir später.",
        "Ingrid Urban",
        True,
    ),
    (
        "de",
        "insult",
        "Du, du bist zu hirnlos, um irgendwas zu verstehen. Verschwinde, Hohlkopf.",
        "Carla T.",
        False,
    ),
    (
        "de",
        "dehumanising",
        "Unsere Straßen sind voll mit die Roma. eine Plage, alle miteinander. Räumt sie weg.",
        "Omar Dubois",
        False,
    ),
    (
        "fr",
        "ordinary",
        "On a parlé de la réforme des retraites à la réunion de quartier la semaine dernière et les avis étaient partagés. La plupart veulent plus de détails.",
        "Hugo Schmidt",
        False,
    ),
    (
        "fr",
        "official_link",
        "@Marcus Le propre rapport du ministère (https://www.insee.fr/fr/statistiques/) contredit ce que Weber a dit sur l'encadrement des loyers.",
        "Rosa Zielinski",
        True,
    ),
    (
        "fr",
        "money_story",
        "@Chloe J'ai payé 65 euros de réparations après l'inondation et l'assurance a refusé. Voilà pourquoi la fermeture des maternités me concerne.",
        "Emil Z.",
        False,
    ),
    (
        "fr",
        "medicine_story",
        "Mon médecin m'a fait passer du paracétamol à un générique et je paie toujours 1 200 euros. Quelque chose cloche.",
        "Gabriel Ferreira",
        False,
    ),
    (
        "fr",
        "correction",
        "Le graphique confond milliers et millions; la ligne budgétaire est de 780 millions, pas 1,200 mille.",
        "riverbank_reader",
        False,
    ),
    (
        "fr",
        "problem_report",
        "La carte de cet article ne s'affiche pas chez moi et le site me demande sans cesse de me reconnecter.",
        "Noah Garcia",
        False,
    ),
    (
        "fr",
        "strong_politics",
        "Quel plan corrompu et cynique. Madame Tanaka brade les gens ordinaires et tout le monde le voit.",
        "Vera R.",
        False,
    ),
    (
        "fr",
        "quote",
        "@Oscar D'après le compte rendu, le maire a déclaré à l'Assemblée: « c'est une invasion ». Un langage honteux.",
        "Sofia Q.",
        False,
    ),
    (
        "fr",
        "violent_idiom",
        "@Oscar Ils ont descendu la fermeture des maternités en flammes avant que quiconque l'ait lu. La réforme est morte et enterrée.",
        "Dana Horvat",
        True,
    ),
    (
        "fr",
        "sarcasm",
        "Merveilleux, je paie 65 euros de plus et j'attends deux fois plus longtemps. Merci beaucoup, Silva.",
        "Jamal Evans",
        True,
    ),
    (
        "fr",
        "spam_nolink",
        "Vous voulez une tisane qui fait fondre 8 kg en deux semaines? Mon mentor m'a montré comment. MP pour les détails et vous me remercierez.",
        "Gabriel Ferreira",
        True,
    ),
    (
        "fr",
        "spam_phone",
        "@Karin Faites revenir l'être aimé en 48 heures grâce à des prières puissantes, appelez le marabout au +33 1 55 50 42 42.",
        "Grace G.",
        True,
    ),
    (
        "fr",
        "spam_obfuscated",
        "Vous voulez une méthode de tr4d1ng qui rapporte 1 200 euros par jour? Mon mentor m'a montré c0mm3nt. Demandez-moi comment et vous me remercierez.",
        "Rahul Zielinski",
        True,
    ),
    (
        "fr",
        "insult",
        "Toi, tu es trop sans cervelle pour comprendre quoi que ce soit. Dégage, abruti.",
        "Walter Patel",
        False,
    ),
    (
        "fr",
        "dehumanising",
        "Nos rues sont pleines des musulmans. une peste, tous autant qu'ils sont. Nettoyez tout ça.",
        "Tessa",
        False,
    ),
    (
        "es",
        "ordinary",
        "@Lars Hablamos del cierre de hospitales en la reunión de vecinos la semana pasada y las opiniones estaban divididas. Casi todos quieren más detalles.",
        "Vera B.",
        True,
    ),
    (
        "es",
        "official_link",
        "El propio informe del ministerio (https://www.ine.es/dyngs/INEbase/es/) contradice lo que dijo Tanaka sobre la tarifa eléctrica.",
        "Julia",
        True,
    ),
    (
        "es",
        "money_story",
        "@Anna Pagué 65 euros en reparaciones después de la inundación y el seguro se negó a cubrirlo. Por eso me importa el cierre de hospitales.",
        "Pedro K.",
        True,
    ),
    (
        "es",
        "medicine_story",
        "Mi médico me cambió quimioterapia por un genérico y sigo pagando 1.200 euros. Algo no funciona.",
        "David",
        True,
    ),
    (
        "es",
        "correction",
        "El gráfico confunde miles con millones; la partida es de 780 millones, no 120 mil.",
        "Vera Ramos",
        False,
    ),
    (
        "es",
        "problem_report",
        "El mapa de este artículo no me carga y la página me pide iniciar sesión una y otra vez.",
        "Oscar Larsen",
        True,
    ),
    (
        "es",
        "strong_politics",
        "Qué plan tan corrupto y cínico. el ministro Weber está vendiendo a la gente corriente y todos lo vemos.",
        "Ingrid Nakamura",
        False,
    ),
    (
        "es",
        "quote",
        "@Amira Según el diario de sesiones, la señora Novak dijo en el Congreso: «los manifestantes son una plaga». Un lenguaje indignante.",
        "Elena Gallagher",
        True,
    ),
    (
        "es",
        "violent_idiom",
        "Tumbaron la ley de extranjería antes de que nadie lo leyera. La reforma está muerta y enterrada.",
        "Walter",
        False,
    ),
    (
        "es",
        "sarcasm",
        "@Helen Maravilloso, ahora pago 65 euros más y espero el doble. Muchas gracias, el ministro Tanaka.",
        "Hugo Weber",
        False,
    ),
    (
        "es",
        "spam_nolink",
        "¿Quieres una rentabilidad garantizada del 7 % al mes? Mi mentor me enseñó cómo. MD para detalles y luego me lo agradeces.",
        "Diego",
        True,
    ),
    (
        "es",
        "spam_phone",
        "Recupera a tu pareja en 48 horas con rezos poderosos, llama al curandero al +34 655 501 234.",
        "Mateo",
        True,
    ),
    (
        "es",
        "spam_obfuscated",
        "¿QUIERES un trabajo online de 65 euros al d í a ? Mi mentor me enseñó cómo. Pregúntame cómo y luego me lo agradeces.",
        "Vera Castillo",
        True,
    ),
    (
        "es",
        "insult",
        "Tú, eres demasiado descerebrado para entender nada. Lárgate, subnormal.",
        "Helen",
        True,
    ),
    (
        "es",
        "dehumanising",
        "Nuestras calles están llenas de los gitanos. parásitos, todos ellos. Limpiadlo todo.",
        "Rita Hansen",
        True,
    ),
    (
        "pt",
        "ordinary",
        "Conversamos sobre o teto dos aluguéis na reunião do bairro semana passada e as opiniões ficaram divididas. A maioria quer mais detalhes.",
        "Mateo Urban",
        False,
    ),
    (
        "pt",
        "official_link",
        "O próprio relatório do ministério (https://www.ine.pt/xportal/xmain?xpid=INE) contradiz o que o ministro Silva disse sobre a reforma da Previdência.",
        "Julia",
        False,
    ),
    (
        "pt",
        "money_story",
        "Paguei 85 euros de conserto depois da enchente e o seguro recusou. Por isso me importo com a reforma da Previdência.",
        "Diego Berg",
        False,
    ),
    (
        "pt",
        "medicine_story",
        "Meu médico trocou metformina por um genérico e continuo pagando R$ 40. Tem algo errado.",
        "Lars Nakamura",
        False,
    ),
    (
        "pt",
        "correction",
        "O gráfico confunde mil com milhões; a rubrica é de 120 milhões, não 350 mil.",
        "Tomas N.",
        True,
    ),
    (
        "pt",
        "problem_report",
        "O mapa desta matéria não carrega para mim e a página pede login toda hora.",
        "Hugo Patel",
        False,
    ),
    (
        "pt",
        "strong_politics",
        "Que plano corrupto e cínico. Lindqvist está vendendo o povo comum e todo mundo vê.",
        "Zoe Lindqvist",
        True,
    ),
    (
        "pt",
        "quote",
        'Segundo a ata, o prefeito disse no plenário: "quem recebe auxílio é parasita". Linguagem vergonhosa.',
        "Diego Horvat",
        False,
    ),
    (
        "pt",
        "violent_idiom",
        "Derrubaram a reforma da Previdência antes de alguém ler. A reforma está morta e enterrada.",
        "Grace Patel",
        True,
    ),
    (
        "pt",
        "sarcasm",
        "@Rita Maravilha, agora pago R$ 120 a mais e espero o dobro. Muito obrigado, Silva.",
        "Priya Dubois",
        False,
    ),
    (
        "pt",
        "spam_nolink",
        "@Kofi Quer um chá que derrete 8 kg em duas semanas? Meu mentor me mostrou como. Chama no direct e depois me agradeça.",
        "Samir V.",
        True,
    ),
    (
        "pt",
        "spam_phone",
        "@Rahul Traga a pessoa amada de volta em 48 horas com orações poderosas, ligue para o pai de santo +351 912 555 042.",
        "pragmatist",
        True,
    ),
    (
        "pt",
        "spam_obfuscated",
        "@Nadia Traga a pessoa 4m4d4 de volta em 48 horas com orações poderosas, l i g u e p\u200ba\u200br\u200ba o pai de santo +55 11 95550-1234.",
        "Yusuf Silva",
        True,
    ),
    (
        "pt",
        "insult",
        "Amigo, você é sem cérebro demais para entender qualquer coisa. Some daqui, perdedor.",
        "Vera Berg",
        False,
    ),
    (
        "pt",
        "dehumanising",
        "Nossas ruas estão cheias de os imigrantes. escória, todos eles. Limpem tudo.",
        "Ben Eriksen",
        False,
    ),
    (
        "it",
        "ordinary",
        "@Yara Abbiamo parlato del tetto agli affitti alla riunione di condominio la settimana scorsa e le opinioni erano divise. Quasi tutti vogliono più dettagli.",
        "Karin Costa",
        False,
    ),
    (
        "it",
        "official_link",
        "Il rapporto stesso del ministero (https://www.salute.gov.it/portale/farmaci/) smentisce quello che il sindaco ha detto sul tetto agli affitti.",
        "Diego U.",
        True,
    ),
    (
        "it",
        "money_story",
        "@Omar Ho pagato 85 € di riparazioni dopo l'alluvione e l'assicurazione ha rifiutato. Per questo mi interessa la chiusura degli ospedali.",
        "Emil Young",
        True,
    ),
    (
        "it",
        "medicine_story",
        "Il medico mi ha passato da la metformina a un generico e pago ancora 40 €. Qualcosa non va.",
        "Ingrid A.",
        False,
    ),
    (
        "it",
        "correction",
        "Il grafico confonde migliaia e milioni; la voce di bilancio è di 780 milioni, non 40 mila.",
        "Helen B.",
        True,
    ),
    (
        "it",
        "problem_report",
        "@Lena La mappa in questo articolo non si carica e il sito continua a chiedermi di accedere di nuovo.",
        "Felix Jensen",
        False,
    ),
    (
        "it",
        "strong_politics",
        "Che piano corrotto e cinico. la senatrice García sta svendendo la gente comune e lo vedono tutti.",
        "Kofi",
        False,
    ),
    (
        "it",
        "quote",
        "@Ines Secondo il resoconto, Moreau ha detto alla Camera: «questa è un'invasione». Un linguaggio indegno.",
        "Noah Silva",
        False,
    ),
    (
        "it",
        "violent_idiom",
        "Hanno affossato il bilancio della scuola prima che qualcuno lo leggesse. La riforma è morta e sepolta.",
        "Priya Dubois",
        False,
    ),
    (
        "it",
        "sarcasm",
        "@Tobias Meraviglioso, ora pago 40 € in più e aspetto il doppio. Grazie tante, il ministro Haddad.",
        "Gabriel Mendes",
        False,
    ),
    (
        "it",
        "spam_nolink",
        "Vuoi un sistema di trading da 65 euro al giorno? Il mio mentore mi ha mostrato come. Mandami un messaggio privato e poi ringraziami.",
        "Zoe",
        True,
    ),
    (
        "it",
        "spam_phone",
        "Riporta a te la persona amata in 48 ore con preghiere potenti, chiama il guaritore al 333 555 0199.",
        "Ruth",
        True,
    ),
    (
        "it",
        "spam_obfuscated",
        "@Hugo Vuoi una tisana che fa sparire 8 kg in due settimane? Il mio mentore mi ha MOSTRATO come. M a n d a m i un messaggio privato e poi ringraziami.",
        "Jamal Ito",
        True,
    ),
    (
        "it",
        "insult",
        "Caro, sei troppo miserabile per capire qualcosa. Sparisci, pagliaccio.",
        "Walter D.",
        False,
    ),
    (
        "it",
        "dehumanising",
        "Le nostre strade sono piene dei musulmani. vermi, tutti quanti. Ripulite tutto.",
        "Tobias Fischer",
        True,
    ),
    (
        "nl",
        "ordinary",
        "We hebben de sluiting van ziekenhuizen vorige week op de bewonersavond besproken en de meningen waren verdeeld. De meesten willen eerst meer details.",
        "Dana Costa",
        False,
    ),
    (
        "nl",
        "official_link",
        "@Nadia Het eigen rapport van het ministerie (https://wetten.overheid.nl/BWBR0005537/) spreekt tegen wat minister Silva over het onderwijsbudget zei.",
        "Emil",
        False,
    ),
    (
        "nl",
        "money_story",
        "Ik betaalde € 40 voor reparaties na de overstroming en de verzekeraar weigerde. Daarom vind ik de nieuwe brandstofaccijns belangrijk.",
        "policy_wonk",
        False,
    ),
    (
        "nl",
        "medicine_story",
        "@Amira Mijn huisarts zette me van mijn bloeddrukpillen over op een merkloos middel en ik betaal nog steeds € 300. Er klopt iets niet.",
        "Pedro L.",
        False,
    ),
    (
        "nl",
        "correction",
        "De grafiek haalt duizenden en miljoenen door elkaar; de begrotingspost is 1,200 miljoen, niet 40 duizend.",
        "Rahul Brennan",
        True,
    ),
    (
        "nl",
        "problem_report",
        "De kaart in dit artikel laadt niet bij mij en de site vraagt steeds of ik opnieuw wil inloggen.",
        "Emil N.",
        False,
    ),
    (
        "nl",
        "strong_politics",
        "Wat een corrupt en cynisch plan. Moreau verkoopt de gewone man en iedereen ziet het.",
        "Oscar",
        True,
    ),
    (
        "nl",
        "quote",
        'Volgens het verslag zei minister Lindqvist in de Kamer: "dit is een invasie". Schandalig taalgebruik.',
        "Vera",
        False,
    ),
    (
        "nl",
        "violent_idiom",
        "Ze hebben het energieplafond neergeschoten voordat iemand het las. De hervorming is morsdood.",
        "Viktor E.",
        False,
    ),
    (
        "nl",
        "sarcasm",
        "Prachtig, nu betaal ik 65 euro meer en wacht ik twee keer zo lang. Hartelijk dank, de burgemeester.",
        "David D.",
        False,
    ),
    (
        "nl",
        "spam_nolink",
        "@Nora Wil je een thee waarmee 3 kilo in twee weken verdwijnt? Mijn mentor liet me zien hoe. Vraag me hoe en bedank me later.",
        "Chloe Hansen",
        True,
    ),
    (
        "nl",
        "spam_phone",
        "Krijg je geliefde binnen 48 uur terug met krachtige gebeden, bel de genezer op 06 5550 0199.",
        "Liam Keller",
        True,
    ),
    (
        "nl",
        "spam_obfuscated",
        "Krijg je gеliеfdе b i n n e n 48 uur terug met krachtige gebeden, bel de g3n3z3r op +31 20 555 7788.",
        "Umar P.",
        True,
    ),
    (
        "nl",
        "insult",
        "Vriend, je bent te achterlijk om ook maar iets te begrijpen. Rot op, imbeciel.",
        "Pavel Olsen",
        False,
    ),
    (
        "nl",
        "dehumanising",
        "@Ines Onze straten zijn vol met de demonstranten. uitschot, allemaal. Ruim ze op.",
        "Maria",
        True,
    ),
    (
        "pl",
        "ordinary",
        "Rozmawialiśmy o tym, że budżet na szkoły wraca, na zebraniu wspólnoty w zeszłym tygodniu i zdania były podzielone. Większość chce więcej szczegółów.",
        "Pedro",
        False,
    ),
    (
        "pl",
        "official_link",
        "Własny raport ministerstwa (https://www.nbp.pl/statystyka/) przeczy temu, co prezydent miasta mówił w tej sprawie.",
        "Ursula G.",
        False,
    ),
    (
        "pl",
        "money_story",
        "Zapłaciłem 85 zł za naprawy po powodzi, a ubezpieczyciel odmówił. Dlatego ta sprawa mnie obchodzi.",
        "Zoe Moreau",
        True,
    ),
    (
        "pl",
        "medicine_story",
        "Lekarz zamienił mi antybiotyki na zamiennik, a ja dalej płacę 40 zł. Coś tu nie działa.",
        "Freya Patel",
        True,
    ),
    (
        "pl",
        "correction",
        "@Leila Na wykresie pomylono tysiące z milionami; pozycja w budżecie to 350 milionów, a nie 1,200 tysięcy.",
        "Chloe H.",
        False,
    ),
    (
        "pl",
        "problem_report",
        "Mapa w tym artykule mi się nie ładuje, a strona ciągle każe mi się logować od nowa.",
        "Bianca G.",
        False,
    ),
    (
        "pl",
        "strong_politics",
        "@Nora Co za skorumpowany, cyniczny plan. prezydent miasta sprzedaje zwykłych ludzi i wszyscy to widzą.",
        "Maria",
        True,
    ),
    (
        "pl",
        "quote",
        "Według stenogramu pan Lindqvist powiedział w Sejmie: „ludzie na zasiłkach to pasożyty”. Skandaliczny język.",
        "Rosa",
        False,
    ),
    (
        "pl",
        "violent_idiom",
        "@Sean Zestrzelili ten projekt, zanim ktokolwiek go przeczytał. Reforma jest martwa.",
        "Ruth J.",
        False,
    ),
    (
        "pl",
        "sarcasm",
        "@Fatima Cudownie, teraz płacę 1200 zł więcej i czekam dwa razy dłużej. Wielkie dzięki.",
        "Tessa C.",
        True,
    ),
    (
        "pl",
        "spam_nolink",
        "Chcesz tego: szybka pożyczka bez BIK? Mój mentor pokazał mi jak. Napisz teraz i podziękuj mi później.",
        "Viktor Zielinski",
        True,
    ),
    (
        "pl",
        "spam_phone",
        "Odzyskaj ukochaną osobę w 48 godzin dzięki potężnym modlitwom, zadzwoń do uzdrowiciela 555 019 977.",
        "Noah S.",
        True,
    ),
    (
        "pl",
        "spam_obfuscated",
        "Odzyskaj ukochaną osobę w 48 godzin d\u200bz\u200bi\u200bę\u200bk\u200bi potężnym modlitwom, z a d z w o ń do uzdrowiciela +48 555 012 345.",
        "Yara M.",
        True,
    ),
    (
        "pl",
        "insult",
        "Panienko, jesteś za bezmózgi, żeby cokolwiek zrozumieć. Spadaj, baran.",
        "Ines Okafor",
        False,
    ),
    (
        "pl",
        "dehumanising",
        "@Nadia Nasze ulice są pełne ich: bezdomni. pasożyty, wszyscy. Wyczyśćcie to.",
        "harbour_watch",
        False,
    ),
    (
        "sv",
        "ordinary",
        "Vi pratade om den nya bensinskatten på bostadsföreningens möte förra veckan och åsikterna gick isär. De flesta vill ha mer detaljer.",
        "Dana Mendes",
        True,
    ),
    (
        "sv",
        "official_link",
        "Departementets egen rapport (https://www.fhi.se/publikationer/) motsäger det Moreau sa om den nya bensinskatten.",
        "Lena Iqbal",
        False,
    ),
    (
        "sv",
        "money_story",
        "@Wendy Jag betalade 400 kronor för reparationer efter översvämningen och försäkringsbolaget sa nej. Därför bryr jag mig om den nya bensinskatten.",
        "commuter42",
        True,
    ),
    (
        "sv",
        "medicine_story",
        "Läkaren bytte mitt antibiotika mot ett generiskt preparat och jag betalar fortfarande 650 kr. Något är fel.",
        "Zoe",
        False,
    ),
    (
        "sv",
        "correction",
        "Diagrammet blandar ihop tusental och miljoner; budgetposten är 780 miljoner, inte 780 tusen.",
        "Walter Adams",
        False,
    ),
    (
        "sv",
        "problem_report",
        "Kartan i den här artikeln laddar inte för mig och sidan ber mig logga in gång på gång.",
        "Sean C.",
        True,
    ),
    (
        "sv",
        "strong_politics",
        "Vilken korrupt och cynisk plan. statsministern säljer ut vanligt folk och alla ser det.",
        "Karin Berg",
        False,
    ),
    (
        "sv",
        "quote",
        "Enligt protokollet sa statsministern i riksdagen: ”demonstranterna är en pest”. Ett skamligt språk.",
        "Felix Nakamura",
        False,
    ),
    (
        "sv",
        "violent_idiom",
        "De sköt ner skolbudgeten innan någon hann läsa det. Reformen är stendöd.",
        "Chloe Rossi",
        True,
    ),
    (
        "sv",
        "sarcasm",
        "Underbart, nu betalar jag 12 000 kronor mer och väntar dubbelt så länge. Tack så mycket, kommunalrådet.",
        "Leila",
        True,
    ),
    (
        "sv",
        "spam_nolink",
        "Vill du ha 12 000 kronor i veckan hemifrån? Min mentor visade mig hur. PM för detaljer och tacka mig sen.",
        "Ines Varga",
        True,
    ),
    (
        "sv",
        "spam_phone",
        "Få tillbaka din älskade på 48 timmar med kraftfulla böner, ring helaren på 070-555 01 99.",
        "Bianca O.",
        True,
    ),
    (
        "sv",
        "spam_obfuscated",
        "@Aisha Få tillbaka din älskade på 48 timmar med kraftfulla bön3r, ring hеlаrеn på +46 70 555 01 23.",
        "Tobias N.",
        True,
    ),
    (
        "sv",
        "insult",
        "Grabben, du är för korkad för att förstå någonting. Stick, förlorare.",
        "Rahul Iqbal",
        True,
    ),
    (
        "sv",
        "dehumanising",
        "Våra gator är fulla av demonstranterna. parasiter, allihop. Städa bort dem.",
        "longtime_reader",
        False,
    ),
    (
        "ja",
        "ordinary",
        "先週の町内会で新しいガソリン税について話し合いましたが、意見は分かれました。多くの人はもっと詳しい説明を求めています。",
        "Marcus Jensen",
        False,
    ),
    (
        "ja",
        "official_link",
        "省の報告書（https://www.mhlw.go.jp/stf/）は、佐藤大臣が家賃の上限規制について言ったことと矛盾しています。",
        "tea_and_facts",
        True,
    ),
    (
        "ja",
        "money_story",
        "洪水のあと修理に6500円払いましたが、保険会社は支払いを拒否しました。だから病院の統廃合が気になります。",
        "Lars Y.",
        False,
    ),
    (
        "ja",
        "medicine_story",
        "医者に抗がん剤をジェネリックに変えられましたが、まだ1万2千円払っています。何かがおかしい。",
        "Rahul",
        False,
    ),
    (
        "ja",
        "correction",
        "@Tessa グラフで千と百万が混同されています。予算額は40百万円で、1,200千円ではありません。",
        "Rita Adams",
        True,
    ),
    (
        "ja",
        "problem_report",
        "@Mateo この記事の地図が表示されず、何度もログインを求められます。",
        "Aisha K.",
        False,
    ),
    (
        "ja",
        "strong_politics",
        "@David なんと腐敗した冷笑的な計画だろう。首相は庶民を売り渡していて、誰の目にも明らかだ。",
        "Sofia Berg",
        False,
    ),
    (
        "ja",
        "quote",
        "議事録によると、田中氏は国会で「これは侵略だ」と述べた。ひどい言葉遣いだ。",
        "Tessa",
        False,
    ),
    (
        "ja",
        "violent_idiom",
        "@Ingrid 誰も読まないうちに教育予算は撃ち落とされた。改革は完全に死んだ。",
        "Grace Okafor",
        True,
    ),
    ("ja", "sarcasm", "最高だね、8500円多く払って二倍待たされる。本当にありがとう、市長。", "Emil", False),
    (
        "ja",
        "spam_nolink",
        "1日6500円もらえるネットの仕事が欲しい？メンターが方法を教えてくれました。DMください、あとで感謝してね。",
        "Jamal Adams",
        False,
    ),
    (
        "ja",
        "spam_phone",
        "強力な祈祷で48時間以内に恋人が戻ってきます。霊能者に電話を 080 5550 0199",
        "Tomas",
        True,
    ),
    (
        "ja",
        "spam_obfuscated",
        "@Hanna 強力な祈祷で48時間以内に恋人が戻ってきます。霊能者に電話を 080 5550 0199",
        "Olga Rossi",
        True,
    ),
    ("ja", "insult", "あんたは哀れなから何も理解できないんだな。消えろ、能無し。", "Nora", False),
    ("ja", "dehumanising", "街は移民だらけだ。みんな疫病だ。一掃しろ。", "Olga", False),
    (
        "ar",
        "ordinary",
        "@Rosa ناقشنا ضريبة الوقود الجديدة في اجتماع الحي الأسبوع الماضي وانقسمت الآراء. معظم الناس يريدون تفاصيل أكثر.",
        "Ursula",
        True,
    ),
    (
        "ar",
        "official_link",
        "تقرير الوزارة نفسه (https://www.cbj.gov.jo/ar/statistics) يناقض ما قاله المحافظ عن ميزانية التعليم.",
        "Pavel M.",
        True,
    ),
    (
        "ar",
        "money_story",
        "دفعت 1200 ريال لإصلاحات بعد الفيضان ورفضت شركة التأمين التعويض. لهذا يهمني دعم الكهرباء.",
        "Marcus D.",
        False,
    ),
    (
        "ar",
        "medicine_story",
        "@Yusuf غيّر طبيبي الباراسيتامول إلى دواء بديل وما زلت أدفع 850 جنيهًا. هناك خلل ما.",
        "Ruth T.",
        False,
    ),
    (
        "ar",
        "correction",
        "@Olga الرسم البياني يخلط بين الآلاف والملايين؛ البند في الميزانية 1,200 مليونًا وليس 780 ألفًا.",
        "Lena L.",
        False,
    ),
    (
        "ar",
        "problem_report",
        "الخريطة في هذا المقال لا تظهر عندي والموقع يطلب مني تسجيل الدخول مرة بعد مرة.",
        "Hugo Young",
        False,
    ),
    (
        "ar",
        "strong_politics",
        "يا لها من خطة فاسدة وانتهازية. الوزير حسن يبيع الناس العاديين والجميع يرى ذلك.",
        "Marcus I.",
        False,
    ),
    (
        "ar",
        "quote",
        "بحسب المحضر، قال رئيس الوزراء في البرلمان: «المتظاهرون وباء». لغة مشينة.",
        "Hector",
        False,
    ),
    ("ar", "violent_idiom", "أسقطوا دعم الكهرباء قبل أن يقرأه أحد. الإصلاح مات ودُفن.", "David Hansen", False),
    (
        "ar",
        "sarcasm",
        "رائع، الآن أدفع 65 دولارًا أكثر وأنتظر ضعف المدة. شكرًا جزيلًا يا كريم.",
        "Lena Ferreira",
        False,
    ),
    (
        "ar",
        "spam_nolink",
        "تريد شاي يذيب 5 كيلو في أسبوعين؟ مرشدي علمني الطريقة. تواصل معي مباشرة واشكرني لاحقًا.",
        "Helen G.",
        True,
    ),
    (
        "ar",
        "spam_phone",
        "أعد حبيبك خلال 48 ساعة بأدعية قوية، اتصل بالشيخ الروحاني على +212 6 5550 4242",
        "Tobias J.",
        True,
    ),
    (
        "ar",
        "spam_obfuscated",
        "@Walter أعد حبيبك خلال 48 ساعة بأدعية ق و ي ة ، اتصل بالشيخ ا ل ر و ح ا ن ي على 0555 019 977",
        "ledger_lady",
        False,
    ),
    (
        "ar",
        "insult",
        "يا أخي، أنت مهرج لا تفهم أي شيء. اغرب عن وجهي أيها عديم العقل.",
        "Nadia Fischer",
        False,
    ),
    (
        "ar",
        "dehumanising",
        "@Maria شوارعنا مليئة بهم: اللاجئون. حشرات كلهم. نظفوها منهم.",
        "Farid Jensen",
        True,
    ),
]


@pytest.fixture(scope="module")
def classifier() -> Any:
    found = Classifier(None)
    yield found
    found.close()


@pytest.mark.parametrize(
    ("lang", "kind", "text", "name", "new_author"),
    [
        pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason="a known miss"))
        if case[:2] in KNOWN_MISSES
        else case
        for case in CASES
    ],
    ids=[f"{case[0]}-{case[1]}" for case in CASES],
)
def test_each_kind_scores_on_the_right_side(
    classifier: Classifier, lang: str, kind: str, text: str, name: str, new_author: bool
) -> None:
    score = classifier.score(Example(text, author_name=name, new_author=new_author))
    label = KINDS[kind]
    if label == "ham":
        assert score.spam < POLICY.spam_hold and score.abuse < POLICY.abuse_nudge, score
    elif label == "spam":
        assert score.spam >= POLICY.spam_flag, score
    else:
        assert score.abuse >= POLICY.abuse_flag, score


def test_the_table_covers_every_language_and_kind_and_comes_from_the_held_out_set() -> None:
    with gzip.open(HELDOUT, "rb") as fh:
        records = [json.loads(line) for line in fh]
    first: dict[tuple[str, str], tuple[str, str, str, str, bool]] = {}
    for r in records:
        first.setdefault(
            (r["lang"], r["kind"]), (r["lang"], r["kind"], r["text"], r["name"], r["new_author"])
        )
    assert list(first.values()) == CASES
    langs = {p.stem for p in (ROOT / "src" / "rejoinder" / "static" / "locales").glob("*.json")}
    assert {case[0] for case in CASES} >= langs | {"it", "nl", "pl", "sv", "ja", "ar"}
    assert {case[1] for case in CASES} == set(KINDS)
    with gzip.open(ROOT / "src" / "rejoinder" / "moderation" / "data" / "builtin.jsonl.gz", "rb") as fh:
        trained = {json.loads(line)["text"] for line in fh}
    assert not trained & {case[2] for case in CASES}


def test_the_held_out_set_meets_the_hold_rate_target() -> None:
    """Legitimate comments held ≤ 1 % overall and ≤ 2 % of the difficult ones; spam and abuse recall
    above floors in every language (measured 0.97 and 0.97 overall; the lowest, Polish abuse, 0.88:
    bench/scenarios/classifier.py); legitimate comments flagged for the queue without being held ≤ 3 %."""
    spec = importlib.util.spec_from_file_location(
        "classifier_scenario", ROOT / "bench/scenarios/classifier.py"
    )
    assert spec is not None and spec.loader is not None
    scenario = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scenario)
    from rejoinder.moderation.training import BUILTIN_MODEL, load_model

    recs = scenario.records()
    result = scenario.evaluate(scenario.model_probs(load_model(BUILTIN_MODEL), recs), recs)
    assert result["ham_held"] <= 0.01, result
    assert result["difficult_ham_held"] <= 0.02, result
    assert result["ham_flagged"] <= 0.03, result
    assert result["spam"]["recall"] >= 0.95 and result["spam"]["precision"] >= 0.95, result
    assert result["abuse"]["recall"] >= 0.95 and result["abuse"]["precision"] >= 0.85, result
    for lang, m in result["languages"].items():
        assert m["spam"]["recall"] >= 0.85 and m["abuse"]["recall"] >= 0.85, (lang, m)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Halt die Klappe, du erbärmlicher Vollidiot.", {"klappe", "vollidiot"}),
        ("黙れ、この哀れなバカが。お前はゴミだ。", {"ゴミ"}),
        ("هؤلاء اللاجئون حشرات ويجب طردهم من البلد.", {"طردهم"}),
    ],
)
def test_reasons_name_the_words_in_the_comments_own_language(
    classifier: Classifier, text: str, words: set[str]
) -> None:
    """An abuse score's reasons are words as the comment wrote them (normalised: lower case, no accents),
    each summing the word's own column and its letter pieces; Japanese words are the script runs."""
    score = classifier.score(Example(text), max_reasons=8)
    assert score.abuse >= POLICY.abuse_nudge
    named = {r.feature for r in score.reasons if r.target == "abuse" and r.kind == "word"}
    assert words <= named, score.reasons
    assert all(r.contribution > 0.05 for r in score.reasons)
