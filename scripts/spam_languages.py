"""Templates of the comments that are hard to judge, in every language the widget speaks (issue #18):
legitimate comments that look like spam or abuse, and spam or abuse that avoids the obvious words.
Used by make_spam_data.py; everything is invented (names, amounts, 555 phone numbers), the linked
domains are real official sources (statistics offices, parliaments, ministries) because citing them
is exactly what must not be held.

Each kind has four templates. The LAST template of every kind, in every language, is HELD OUT: it is
only ever used to write the evaluation set (tests/moderation/data/heldout.jsonl.gz), never the training
data, so the evaluation measures sentence patterns the model has not seen.
"""

from __future__ import annotations

# kind → (label, difficult?) ; "ordinary" ham is the easy baseline in each language.
KINDS: dict[str, tuple[str, bool]] = {
    "ordinary": ("ham", False),
    "official_link": ("ham", True),
    "money_story": ("ham", True),
    "medicine_story": ("ham", True),
    "correction": ("ham", True),
    "problem_report": ("ham", True),
    "strong_politics": ("ham", True),
    "quote": ("ham", True),
    "violent_idiom": ("ham", True),
    "sarcasm": ("ham", True),
    "spam_nolink": ("spam", True),
    "spam_phone": ("spam", True),
    "spam_obfuscated": ("spam", True),  # derived: spam_nolink/spam_phone with obfuscated words
    "insult": ("abuse", False),
    "dehumanising": ("abuse", True),
}
HELD_OUT = 3  # index of the held-out template in each kind's list

SHARED: dict[str, list[str]] = {
    "name": [
        "Weber",
        "Martin",
        "Rossi",
        "Kowalski",
        "Lindqvist",
        "Tanaka",
        "Haddad",
        "García",
        "Silva",
        "de Vries",
        "Moreau",
        "Novak",
        "Berg",
        "Costa",
    ],
    "pct": ["2", "3", "4.5", "7", "12", "18", "23", "31"],
    "pct2": ["1.8", "2.6", "5", "9", "14", "21", "27"],
    "num": ["40", "120", "350", "780", "1,200", "2,500"],
    "year": ["2009", "2014", "2016", "2019", "2021", "2023"],
    "year2": ["2010", "2015", "2018", "2020", "2022", "2024"],
    "small": ["2", "3", "4", "5", "6", "8"],
}

LANGS: dict[str, dict[str, list[str]]] = {
    # -------------------------------------------------------------------------------------------------
    "en": {
        "topic": [
            "the pension reform",
            "the rent cap",
            "the new fuel tax",
            "the hospital closures",
            "the school funding bill",
            "the immigration law",
            "the energy price cap",
        ],
        "party": ["the government", "the opposition", "the ruling party", "the coalition", "the Greens"],
        "pol": ["Minister {name}", "the prime minister", "Senator {name}", "{name}", "the mayor"],
        "src": [
            "https://www.ons.gov.uk/economy/inflation",
            "https://www.legislation.gov.uk/ukpga/2023/52",
            "https://www.cbo.gov/publication/59710",
            "https://hansard.parliament.uk/commons/2024-03-12",
            "https://www.bls.gov/cpi/",
            "https://www.nhs.uk/medicines/",
        ],
        "amt": ["£40", "£120", "$300", "£85", "$1,200", "£2,000", "$65"],
        "drug": [
            "insulin",
            "ibuprofen",
            "metformin",
            "antibiotics",
            "my blood pressure pills",
            "methylphenidate",
            "chemotherapy",
        ],
        "city": ["Leeds", "Bristol", "Cardiff", "Glasgow", "Ohio", "Denver"],
        "phone": ["+44 7700 900123", "555 0142 7788", "(555) 013-4477", "07700 900 456"],
        "group": [
            "immigrants",
            "refugees",
            "those people from the estate",
            "the protesters",
            "the travellers",
            "Muslims",
            "the homeless",
        ],
        "who": ["mate", "pal", "buddy", "you", "lady"],
        "quote_bad": [
            "people on benefits are parasites",
            "the protesters are a plague",
            "we will crush the unions",
            "these migrants are an invasion",
        ],
        "ordinary": [
            "I think {topic} will mostly hurt young families; {party} should have consulted first.",
            "Good article. My question is who pays for {topic} after {year}?",
            "The numbers on {topic} look right to me, but the timeline seems optimistic.",
            "We discussed {topic} at our residents' meeting last week and opinions were split. Most "
            "people want more detail before deciding.",
        ],
        "official_link": [
            "The full text of {topic} is on the official site: {src}",
            "For anyone who wants the data, the statistics office publishes it here {src} and it shows "
            "a {pct}% rise since {year}.",
            "Source: {src} (page {small}). Read it before arguing about {topic}.",
            "The ministry's own report ({src}) contradicts what {pol} said about {topic}.",
        ],
        "money_story": [
            "My rent went up by {amt} this year and my salary didn't move. {topic} can't come soon enough.",
            "We lost {amt} when the bank closed our savings plan and nobody warned us. I am still angry.",
            "My father worked 40 years and gets {amt} a month in pension. Tell me again pensioners are rich.",
            "I paid {amt} for repairs after the flood and the insurer refused to cover it. That's why I "
            "care about {topic}.",
        ],
        "medicine_story": [
            "My daughter needs {drug} every day and it now costs us {amt} a month at the pharmacy.",
            "After my surgery I was prescribed {drug} and waited {small} weeks for it because of shortages.",
            "As a nurse I give {drug} to patients daily; the shortages are real, not invented by the press.",
            "My doctor switched me from {drug} to a generic and I still pay {amt}. Something is broken.",
        ],
        "correction": [
            "Correction: the article says {pct}% but the official figure is {pct2}%. See {src}",
            "Small error in the third paragraph: the law was passed in {year}, not {year2}.",
            "The quote attributed to {pol} was actually said by Minister {name}. The transcript is public: "
            "{src}",
            "The chart mixes up thousands and millions; the budget line is {num} million, not {num} "
            "thousand.",
        ],
        "problem_report": [
            "The link to the report in the article is broken, it gives a 404.",
            "The video doesn't play on my phone, and the photo caption names the wrong city ({city}).",
            "Please fix the headline, it says {city} but the story is about another town.",
            "The map in this article doesn't load for me and the page keeps asking me to log in again.",
        ],
        "strong_politics": [
            "This government is a disgrace. {topic} is a betrayal of every voter who trusted them.",
            "{pol} has lied about {topic} for years and should resign today. Shameful.",
            "Utterly incompetent handling of {topic}. {party} deserves to be wiped out at the next election.",
            "What a corrupt, cynical plan. {pol} is selling out ordinary people and everyone can see it.",
        ],
        "quote": [
            '{pol} said on TV: "Those who oppose {topic} are enemies of progress." Divisive words.',
            'Direct quote from the debate: "{quote_bad}". That is what {pol} thinks of us.',
            'Remember when {pol} called pensioners "a burden on the nation"? I do, and I vote.',
            'According to the minutes, {pol} told parliament: "{quote_bad}". Disgraceful language.',
        ],
        "violent_idiom": [
            "The opposition will kill this bill in committee, and good riddance.",
            "{pol} got absolutely destroyed in the debate last night.",
            "This report is a bombshell; heads should roll at the ministry over {topic}.",
            "They shot down {topic} before anyone read it. The reform is dead in the water.",
        ],
        "sarcasm": [
            'Oh brilliant, another {amt} "temporary" tax. What could possibly go wrong?',
            "Great job, {party}. Raise prices, cut services and call it reform. Genius.",
            "Sure, because the last {small} promises about {topic} worked out so well.",
            "Wonderful, now I can pay {amt} more and wait twice as long. Thanks a lot, {pol}.",
        ],
        "spam_nolink": [
            "Earn {amt} a week from home, no experience needed. Message me privately for details.",
            "I lost {small} kg in two weeks with this natural tea. Ask me how, I will share the secret.",
            "Need a fast loan without credit check? Approval in 24 hours, contact me directly.",
            "Want to make {amt} a day trading? My mentor changed my life, write to him and thank me later.",
        ],
        "spam_phone": [
            "Cheap loans for everyone, bad credit ok, call or WhatsApp {phone} now.",
            "Guaranteed {pct}% monthly returns on your savings. WhatsApp {phone} for the investment plan.",
            "Lonely tonight? Beautiful girls are waiting for your call: {phone}",
            "Get your lover back in 48 hours with powerful prayers, call the healer on {phone}.",
        ],
        "insult": [
            "You are a complete idiot, {who}. Nobody wants to read your garbage.",
            "Shut up, {who}. Crawl back under your rock, you pathetic loser.",
            "Whoever wrote this article is a moron and should be fired.",
            "{who}, you're too stupid to understand anything. Get lost.",
        ],
        "dehumanising": [
            "{group} are vermin and should be thrown out of the country.",
            "These {group} are parasites, they breed like rats.",
            "{group} are not human, they're animals. Get rid of them.",
            "Filthy {group} infest our streets like cockroaches. Clean them out.",
        ],
    },
    # -------------------------------------------------------------------------------------------------
    "de": {
        "topic": [
            "die Rentenreform",
            "die Mietpreisbremse",
            "das Heizungsgesetz",
            "die Krankenhausreform",
            "das Bürgergeld",
            "die Schuldenbremse",
            "das neue Einwanderungsgesetz",
        ],
        "party": ["die Regierung", "die Opposition", "die Ampel", "die Koalition", "die Grünen"],
        "pol": ["Minister {name}", "der Kanzler", "Frau {name}", "Herr {name}", "die Bürgermeisterin"],
        "src": [
            "https://www.destatis.de/DE/Themen/Wirtschaft/Preise/",
            "https://dserver.bundestag.de/btd/20/087/",
            "https://www.bundesregierung.de/breg-de/aktuelles",
            "https://www.gesetze-im-internet.de/sgb_6/",
            "https://www.bundesbank.de/de/statistiken",
        ],
        "amt": ["40 €", "120 Euro", "85 €", "1.200 Euro", "2.000 €", "65 Euro", "300 €"],
        "drug": [
            "Insulin",
            "Ibuprofen",
            "Metformin",
            "Antibiotika",
            "meine Blutdrucktabletten",
            "Methylphenidat",
            "die Chemotherapie",
        ],
        "city": ["Leipzig", "Bochum", "Kiel", "Augsburg", "Rostock", "Kassel"],
        "phone": ["+49 151 5550 1234", "0151 555 0199", "0800 555 0142", "+49 30 5550 7788"],
        "group": [
            "Ausländer",
            "Flüchtlinge",
            "die Leute aus dem Block",
            "die Demonstranten",
            "Muslime",
            "Obdachlose",
            "die Roma",
        ],
        "who": ["Alter", "du", "Freundchen", "Meister", "Schätzchen"],
        "quote_bad": [
            "Bürgergeldempfänger sind Schmarotzer",
            "die Demonstranten sind eine Plage",
            "wir werden die Gewerkschaften zerschlagen",
            "das ist eine Invasion",
        ],
        "ordinary": [
            "Ich glaube, {topic} trifft vor allem junge Familien; {party} hätte vorher fragen sollen.",
            "Guter Artikel. Meine Frage: Wer bezahlt {topic} nach {year}?",
            "Die Zahlen zu {topic} scheinen zu stimmen, aber der Zeitplan ist sehr optimistisch.",
            "Wir haben {topic} letzte Woche im Mieterverein besprochen und die Meinungen waren geteilt. Die "
            "meisten wollen erst mehr Details sehen.",
        ],
        "official_link": [
            "Der vollständige Text zu {topic} steht auf der offiziellen Seite: {src}",
            "Wer die Daten sehen will, das Statistische Bundesamt veröffentlicht sie hier {src}: seit {year} "
            "ein Anstieg um {pct} %.",
            "Quelle: {src} (Seite {small}). Bitte erst lesen, dann über {topic} streiten.",
            "Der eigene Bericht des Ministeriums ({src}) widerspricht dem, was {pol} über {topic} gesagt hat.",
        ],
        "money_story": [
            "Meine Miete ist dieses Jahr um {amt} gestiegen, mein Gehalt nicht. {topic} kommt viel zu spät.",
            "Wir haben {amt} verloren, als die Sparkasse unseren Sparvertrag gekündigt hat. Keiner hat uns "
            "gewarnt.",
            "Mein Vater hat 40 Jahre gearbeitet und bekommt {amt} Rente im Monat. Und dann heißt es, Rentner "
            "seien reich.",
            "Ich habe nach dem Hochwasser {amt} für Reparaturen bezahlt und die Versicherung hat abgelehnt. "
            "Darum ist mir {topic} wichtig.",
        ],
        "medicine_story": [
            "Meine Tochter braucht jeden Tag {drug} und das kostet uns jetzt {amt} im Monat in der Apotheke.",
            "Nach meiner Operation bekam ich {drug} verschrieben und wartete {small} Wochen wegen "
            "Lieferengpässen.",
            "Als Pflegerin gebe ich täglich {drug}; die Engpässe sind echt und nicht von der Presse erfunden.",
            "Mein Arzt hat mich von {drug} auf ein Generikum umgestellt und ich zahle trotzdem {amt}. Da "
            "stimmt was nicht.",
        ],
        "correction": [
            "Korrektur: Im Artikel steht {pct} %, die offizielle Zahl ist aber {pct2} %. Siehe {src}",
            "Kleiner Fehler im dritten Absatz: Das Gesetz wurde {year} beschlossen, nicht {year2}.",
            "Das Zitat von {pol} stammt eigentlich von Minister {name}. Das Protokoll ist öffentlich: {src}",
            "In der Grafik sind Tausend und Millionen vertauscht; der Haushaltsposten beträgt {num} "
            "Millionen, nicht {num} Tausend.",
        ],
        "problem_report": [
            "Der Link zum Bericht im Artikel ist kaputt, es kommt ein 404-Fehler.",
            "Das Video läuft auf meinem Handy nicht, und die Bildunterschrift nennt die falsche Stadt "
            "({city}).",
            "Bitte die Überschrift korrigieren, da steht {city}, aber es geht um eine andere Stadt.",
            "Die Karte in diesem Artikel lädt bei mir nicht und die Seite will ständig, dass ich mich neu "
            "anmelde.",
        ],
        "strong_politics": [
            "Diese Regierung ist eine Schande. {topic} ist Verrat an allen Wählern, die ihr vertraut haben.",
            "{pol} lügt seit Jahren über {topic} und sollte heute zurücktreten. Erbärmlich.",
            "Völlig unfähiger Umgang mit {topic}. {party} gehört bei der nächsten Wahl abgestraft.",
            "Was für ein korrupter, zynischer Plan. {pol} verkauft die kleinen Leute und alle sehen es.",
        ],
        "quote": [
            "{pol} sagte im Fernsehen: „Wer gegen {topic} ist, ist ein Feind des Fortschritts.“ Spaltende "
            "Worte.",
            "Wörtliches Zitat aus der Debatte: „{quote_bad}“. So denkt {pol} über uns.",
            "Wisst ihr noch, wie {pol} Rentner „eine Last für das Land“ nannte? Ich schon, und ich wähle.",
            "Laut Protokoll sagte {pol} im Bundestag: „{quote_bad}“. Eine unsägliche Sprache.",
        ],
        "violent_idiom": [
            "Die Opposition wird dieses Gesetz im Ausschuss abschießen, und das ist gut so.",
            "{pol} wurde gestern in der Debatte regelrecht zerlegt.",
            "Der Bericht ist eine Bombe; im Ministerium müssen wegen {topic} Köpfe rollen.",
            "Sie haben {topic} abgeschossen, bevor es jemand gelesen hat. Die Reform ist mausetot.",
        ],
        "sarcasm": [
            "Na toll, noch eine „vorübergehende“ Steuer von {amt}. Was soll da schon schiefgehen?",
            "Super gemacht, {party}. Preise rauf, Leistungen runter und das Ganze Reform nennen. Genial.",
            "Klar, weil die letzten {small} Versprechen zu {topic} ja so gut geklappt haben.",
            "Wunderbar, jetzt zahle ich {amt} mehr und warte doppelt so lange. Vielen Dank auch, {pol}.",
        ],
        "spam_nolink": [
            "Verdiene {amt} pro Woche von zu Hause, keine Erfahrung nötig. Schreib mir privat für Details.",
            "Ich habe mit diesem Naturtee {small} kg in zwei Wochen abgenommen. Frag mich, ich verrate das "
            "Geheimnis.",
            "Schneller Kredit ohne Schufa? Zusage in 24 Stunden, kontaktiere mich direkt.",
            "Willst du {amt} am Tag mit Trading verdienen? Mein Mentor hat mein Leben verändert, schreib ihm "
            "und danke mir später.",
        ],
        "spam_phone": [
            "Günstige Kredite für alle, auch ohne Schufa, ruf an oder WhatsApp {phone}.",
            "Garantiert {pct} % Rendite im Monat auf dein Erspartes. WhatsApp {phone} für den Anlageplan.",
            "Einsam heute Nacht? Hübsche Frauen warten auf deinen Anruf: {phone}",
            "Hol deinen Partner in 48 Stunden zurück mit starken Gebeten, ruf den Heiler an: {phone}.",
        ],
        "insult": [
            "Du bist ein kompletter Idiot, {who}. Niemand will deinen Müll lesen.",
            "Halt die Klappe, {who}. Kriech zurück unter deinen Stein, du erbärmlicher Versager.",
            "Wer diesen Artikel geschrieben hat, ist ein Vollidiot und gehört gefeuert.",
            "{who}, du bist zu dumm, um irgendwas zu verstehen. Verschwinde.",
        ],
        "dehumanising": [
            "{group} sind Ungeziefer und gehören aus dem Land geworfen.",
            "Diese {group} sind Parasiten, die vermehren sich wie Ratten.",
            "{group} sind keine Menschen, das sind Tiere. Weg mit denen.",
            "Dreckige {group} verseuchen unsere Straßen wie Kakerlaken. Räumt sie weg.",
        ],
    },
    # -------------------------------------------------------------------------------------------------
    "fr": {
        "topic": [
            "la réforme des retraites",
            "l'encadrement des loyers",
            "la nouvelle taxe carburant",
            "la fermeture des maternités",
            "la loi immigration",
            "le budget de l'école",
            "le bouclier tarifaire",
        ],
        "party": ["le gouvernement", "l'opposition", "la majorité", "la coalition", "les écologistes"],
        "pol": ["le ministre {name}", "la Première ministre", "Madame {name}", "{name}", "le maire"],
        "src": [
            "https://www.insee.fr/fr/statistiques/",
            "https://www.legifrance.gouv.fr/jorf/id/",
            "https://www.assemblee-nationale.fr/dyn/16/comptes-rendus/",
            "https://www.vie-publique.fr/loi/",
            "https://www.ameli.fr/assure/remboursements",
        ],
        "amt": ["40 €", "120 euros", "85 €", "1 200 euros", "2 000 €", "65 euros", "300 €"],
        "drug": [
            "l'insuline",
            "l'ibuprofène",
            "la metformine",
            "des antibiotiques",
            "mon traitement pour la tension",
            "la chimiothérapie",
            "le paracétamol",
        ],
        "city": ["Lille", "Rennes", "Nantes", "Grenoble", "Metz", "Toulon"],
        "phone": ["+33 6 55 50 12 34", "06 55 50 01 99", "07 55 50 77 88", "+33 1 55 50 42 42"],
        "group": [
            "les immigrés",
            "les réfugiés",
            "les gens de la cité",
            "les manifestants",
            "les musulmans",
            "les SDF",
            "les Roms",
        ],
        "who": ["mon pote", "toi", "mon grand", "l'ami", "ma petite"],
        "quote_bad": [
            "les allocataires sont des parasites",
            "les manifestants sont une peste",
            "nous allons écraser les syndicats",
            "c'est une invasion",
        ],
        "ordinary": [
            "Je pense que {topic} va surtout toucher les jeunes familles ; {party} aurait dû consulter avant.",
            "Bon article. Ma question : qui paiera {topic} après {year} ?",
            "Les chiffres sur {topic} me semblent justes, mais le calendrier est très optimiste.",
            "On a parlé de {topic} à la réunion de quartier la semaine dernière et les avis étaient partagés. "
            "La plupart veulent plus de détails.",
        ],
        "official_link": [
            "Le texte complet sur {topic} est sur le site officiel : {src}",
            "Pour ceux qui veulent les données, l'Insee les publie ici {src} : une hausse de {pct} % depuis "
            "{year}.",
            "Source : {src} (page {small}). Lisez-le avant de débattre de {topic}.",
            "Le propre rapport du ministère ({src}) contredit ce que {pol} a dit sur {topic}.",
        ],
        "money_story": [
            "Mon loyer a augmenté de {amt} cette année et mon salaire n'a pas bougé. {topic} arrive trop "
            "tard.",
            "Nous avons perdu {amt} quand la banque a fermé notre plan d'épargne, personne ne nous a prévenus.",
            "Mon père a travaillé 40 ans et touche {amt} de retraite par mois. Et on ose dire que les "
            "retraités sont riches.",
            "J'ai payé {amt} de réparations après l'inondation et l'assurance a refusé. Voilà pourquoi "
            "{topic} me concerne.",
        ],
        "medicine_story": [
            "Ma fille a besoin de {drug} tous les jours et ça nous coûte maintenant {amt} par mois à la "
            "pharmacie.",
            "Après mon opération on m'a prescrit {drug} et j'ai attendu {small} semaines à cause des pénuries.",
            "Infirmière, je donne {drug} aux patients chaque jour ; les pénuries sont réelles, pas inventées "
            "par la presse.",
            "Mon médecin m'a fait passer de {drug} à un générique et je paie toujours {amt}. Quelque chose "
            "cloche.",
        ],
        "correction": [
            "Correction : l'article indique {pct} % mais le chiffre officiel est {pct2} %. Voir {src}",
            "Petite erreur au troisième paragraphe : la loi a été votée en {year}, pas en {year2}.",
            "La citation attribuée à {pol} vient en fait du ministre {name}. Le compte rendu est public : {src}",
            "Le graphique confond milliers et millions ; la ligne budgétaire est de {num} millions, pas {num} "
            "mille.",
        ],
        "problem_report": [
            "Le lien vers le rapport dans l'article est cassé, il renvoie une erreur 404.",
            "La vidéo ne se lance pas sur mon téléphone et la légende de la photo donne la mauvaise ville "
            "({city}).",
            "Merci de corriger le titre, il dit {city} mais l'article parle d'une autre ville.",
            "La carte de cet article ne s'affiche pas chez moi et le site me demande sans cesse de me "
            "reconnecter.",
        ],
        "strong_politics": [
            "Ce gouvernement est une honte. {topic} est une trahison de tous les électeurs qui lui ont fait "
            "confiance.",
            "{pol} ment sur {topic} depuis des années et devrait démissionner aujourd'hui. Lamentable.",
            "Gestion totalement incompétente de {topic}. {party} mérite une raclée aux prochaines élections.",
            "Quel plan corrompu et cynique. {pol} brade les gens ordinaires et tout le monde le voit.",
        ],
        "quote": [
            "{pol} a dit à la télé : « Ceux qui s'opposent à {topic} sont des ennemis du progrès. » Des mots "
            "qui divisent.",
            "Citation exacte du débat : « {quote_bad} ». Voilà ce que {pol} pense de nous.",
            "Vous vous souvenez quand {pol} a traité les retraités de « fardeau pour la nation » ? Moi oui, "
            "et je vote.",
            "D'après le compte rendu, {pol} a déclaré à l'Assemblée : « {quote_bad} ». Un langage honteux.",
        ],
        "violent_idiom": [
            "L'opposition va tuer ce projet de loi en commission, et tant mieux.",
            "{pol} s'est fait complètement démolir pendant le débat hier soir.",
            "Ce rapport est une bombe ; des têtes doivent tomber au ministère à cause de {topic}.",
            "Ils ont descendu {topic} en flammes avant que quiconque l'ait lu. La réforme est morte et "
            "enterrée.",
        ],
        "sarcasm": [
            "Génial, encore une taxe « temporaire » de {amt}. Qu'est-ce qui pourrait mal tourner ?",
            "Bravo, {party}. Augmenter les prix, couper les services et appeler ça une réforme. Du génie.",
            "Bien sûr, parce que les {small} dernières promesses sur {topic} ont si bien marché.",
            "Merveilleux, je paie {amt} de plus et j'attends deux fois plus longtemps. Merci beaucoup, {pol}.",
        ],
        "spam_nolink": [
            "Gagnez {amt} par semaine depuis chez vous, sans expérience. Écrivez-moi en privé pour les "
            "détails.",
            "J'ai perdu {small} kg en deux semaines avec cette tisane naturelle. Demandez-moi, je partage le "
            "secret.",
            "Besoin d'un prêt rapide sans justificatif ? Accord en 24 heures, contactez-moi directement.",
            "Vous voulez gagner {amt} par jour en trading ? Mon mentor a changé ma vie, écrivez-lui et vous "
            "me remercierez.",
        ],
        "spam_phone": [
            "Prêts pas chers pour tous, même fiché, appelez ou WhatsApp {phone}.",
            "Rendement garanti de {pct} % par mois sur votre épargne. WhatsApp {phone} pour le plan.",
            "Seul ce soir ? De jolies femmes attendent votre appel : {phone}",
            "Faites revenir l'être aimé en 48 heures grâce à des prières puissantes, appelez le marabout au "
            "{phone}.",
        ],
        "insult": [
            "Tu es un parfait crétin, {who}. Personne ne veut lire tes âneries.",
            "Ferme-la, {who}. Retourne sous ton caillou, pauvre minable.",
            "Celui qui a écrit cet article est un abruti et devrait être viré.",
            "{who}, tu es trop bête pour comprendre quoi que ce soit. Dégage.",
        ],
        "dehumanising": [
            "{group} sont de la vermine et doivent être jetés hors du pays.",
            "Ces {group} sont des parasites, ils se reproduisent comme des rats.",
            "{group} ne sont pas des humains, ce sont des animaux. Débarrassez-nous d'eux.",
            "Ces sales {group} infestent nos rues comme des cafards. Nettoyez tout ça.",
        ],
    },
}

LANGS["es"] = {
    "topic": [
        "la reforma de las pensiones",
        "el tope de los alquileres",
        "el nuevo impuesto al combustible",
        "el cierre de hospitales",
        "la ley de extranjería",
        "el presupuesto educativo",
        "la tarifa eléctrica",
    ],
    "party": ["el Gobierno", "la oposición", "el partido en el poder", "la coalición", "los verdes"],
    "pol": ["el ministro {name}", "el presidente", "la señora {name}", "{name}", "la alcaldesa"],
    "src": [
        "https://www.ine.es/dyngs/INEbase/es/",
        "https://www.boe.es/buscar/act.php?id=BOE-A-2023-12345",
        "https://www.congreso.es/es/diario-de-sesiones",
        "https://www.lamoncloa.gob.es/consejodeministros/",
        "https://www.bde.es/wbe/es/estadisticas/",
    ],
    "amt": ["40 €", "120 euros", "85 €", "1.200 euros", "2.000 €", "65 euros", "300 €"],
    "drug": [
        "insulina",
        "ibuprofeno",
        "metformina",
        "antibióticos",
        "mis pastillas de la tensión",
        "quimioterapia",
        "paracetamol",
    ],
    "city": ["Zaragoza", "Málaga", "Bilbao", "Valladolid", "Murcia", "Vigo"],
    "phone": ["+34 655 501 234", "655 50 01 99", "+34 91 555 0142", "600 555 077"],
    "group": [
        "los inmigrantes",
        "los refugiados",
        "los del barrio",
        "los manifestantes",
        "los musulmanes",
        "los sin techo",
        "los gitanos",
    ],
    "who": ["tío", "chaval", "amigo", "tú", "guapa"],
    "quote_bad": [
        "los que cobran ayudas son parásitos",
        "los manifestantes son una plaga",
        "vamos a aplastar a los sindicatos",
        "esto es una invasión",
    ],
    "ordinary": [
        "Creo que {topic} afectará sobre todo a las familias jóvenes; {party} debió consultar antes.",
        "Buen artículo. Mi pregunta es quién paga {topic} después de {year}.",
        "Los números sobre {topic} me parecen correctos, pero el calendario es muy optimista.",
        "Hablamos de {topic} en la reunión de vecinos la semana pasada y las opiniones estaban divididas. "
        "Casi todos quieren más detalles.",
    ],
    "official_link": [
        "El texto completo de {topic} está en la web oficial: {src}",
        "Para quien quiera los datos, el INE los publica aquí {src} y muestran una subida del {pct} % desde "
        "{year}.",
        "Fuente: {src} (página {small}). Léanlo antes de discutir sobre {topic}.",
        "El propio informe del ministerio ({src}) contradice lo que dijo {pol} sobre {topic}.",
    ],
    "money_story": [
        "Mi alquiler subió {amt} este año y mi sueldo no se movió. {topic} llega tarde.",
        "Perdimos {amt} cuando el banco cerró nuestro plan de ahorro y nadie nos avisó.",
        "Mi padre trabajó 40 años y cobra {amt} de pensión al mes. Que me vuelvan a decir que los jubilados "
        "son ricos.",
        "Pagué {amt} en reparaciones después de la inundación y el seguro se negó a cubrirlo. Por eso me "
        "importa {topic}.",
    ],
    "medicine_story": [
        "Mi hija necesita {drug} todos los días y ahora nos cuesta {amt} al mes en la farmacia.",
        "Después de la operación me recetaron {drug} y esperé {small} semanas por el desabastecimiento.",
        "Soy enfermera y doy {drug} a pacientes cada día; la escasez es real, no un invento de la prensa.",
        "Mi médico me cambió {drug} por un genérico y sigo pagando {amt}. Algo no funciona.",
    ],
    "correction": [
        "Corrección: el artículo dice {pct} % pero la cifra oficial es {pct2} %. Ver {src}",
        "Pequeño error en el tercer párrafo: la ley se aprobó en {year}, no en {year2}.",
        "La frase atribuida a {pol} la dijo en realidad el ministro {name}. La transcripción es pública: {src}",
        "El gráfico confunde miles con millones; la partida es de {num} millones, no {num} mil.",
    ],
    "problem_report": [
        "El enlace al informe en el artículo está roto, da un error 404.",
        "El vídeo no se reproduce en mi móvil y el pie de foto nombra la ciudad equivocada ({city}).",
        "Corrijan el titular, por favor, dice {city} pero la noticia es de otra ciudad.",
        "El mapa de este artículo no me carga y la página me pide iniciar sesión una y otra vez.",
    ],
    "strong_politics": [
        "Este Gobierno es una vergüenza. {topic} es una traición a todos los votantes que confiaron en él.",
        "{pol} lleva años mintiendo sobre {topic} y debería dimitir hoy. Vergonzoso.",
        "Gestión totalmente incompetente de {topic}. {party} merece un batacazo en las próximas elecciones.",
        "Qué plan tan corrupto y cínico. {pol} está vendiendo a la gente corriente y todos lo vemos.",
    ],
    "quote": [
        "{pol} dijo en la tele: «Quien se opone a {topic} es enemigo del progreso». Palabras que dividen.",
        "Cita literal del debate: «{quote_bad}». Eso es lo que piensa {pol} de nosotros.",
        "¿Recordáis cuando {pol} llamó a los jubilados «una carga para el país»? Yo sí, y voto.",
        "Según el diario de sesiones, {pol} dijo en el Congreso: «{quote_bad}». Un lenguaje indignante.",
    ],
    "violent_idiom": [
        "La oposición va a matar esta ley en la comisión, y mejor así.",
        "{pol} fue completamente destrozado en el debate de anoche.",
        "Este informe es una bomba; deberían rodar cabezas en el ministerio por {topic}.",
        "Tumbaron {topic} antes de que nadie lo leyera. La reforma está muerta y enterrada.",
    ],
    "sarcasm": [
        "Genial, otro impuesto «temporal» de {amt}. ¿Qué podría salir mal?",
        "Enhorabuena, {party}. Subir precios, recortar servicios y llamarlo reforma. Brillante.",
        "Claro, porque las últimas {small} promesas sobre {topic} salieron de maravilla.",
        "Maravilloso, ahora pago {amt} más y espero el doble. Muchas gracias, {pol}.",
    ],
    "spam_nolink": [
        "Gana {amt} a la semana desde casa, sin experiencia. Escríbeme por privado para más detalles.",
        "Perdí {small} kg en dos semanas con este té natural. Pregúntame y te cuento el secreto.",
        "¿Necesitas un préstamo rápido sin consultar ASNEF? Aprobación en 24 horas, contáctame directamente.",
        "¿Quieres ganar {amt} al día con trading? Mi mentor me cambió la vida, escríbele y luego me lo "
        "agradeces.",
    ],
    "spam_phone": [
        "Préstamos baratos para todos, aunque estés en ASNEF, llama o WhatsApp {phone}.",
        "Rentabilidad garantizada del {pct} % mensual para tus ahorros. WhatsApp {phone} para el plan.",
        "¿Solo esta noche? Chicas guapas esperan tu llamada: {phone}",
        "Recupera a tu pareja en 48 horas con rezos poderosos, llama al curandero al {phone}.",
    ],
    "insult": [
        "Eres un completo idiota, {who}. Nadie quiere leer tu basura.",
        "Cállate, {who}. Vuelve debajo de tu piedra, patético perdedor.",
        "Quien escribió este artículo es un imbécil y deberían despedirlo.",
        "{who}, eres demasiado tonto para entender nada. Lárgate.",
    ],
    "dehumanising": [
        "{group} son alimañas y hay que echarlos del país.",
        "Estos {group} son parásitos, se reproducen como ratas.",
        "{group} no son personas, son animales. Hay que librarse de ellos.",
        "Esos asquerosos {group} infestan nuestras calles como cucarachas. Limpiadlo todo.",
    ],
}

LANGS["pt"] = {
    "topic": [
        "a reforma da Previdência",
        "o teto dos aluguéis",
        "o novo imposto sobre combustíveis",
        "o fechamento de hospitais",
        "a lei de imigração",
        "o orçamento da educação",
        "a tarifa de energia",
    ],
    "party": ["o governo", "a oposição", "o partido do governo", "a coligação", "os verdes"],
    "pol": ["o ministro {name}", "o presidente", "a senhora {name}", "{name}", "o prefeito"],
    "src": [
        "https://www.ibge.gov.br/estatisticas/",
        "https://www.planalto.gov.br/ccivil_03/leis/",
        "https://www.camara.leg.br/noticias/",
        "https://www.ine.pt/xportal/xmain?xpid=INE",
        "https://www.gov.br/saude/pt-br/assuntos",
    ],
    "amt": ["R$ 40", "R$ 120", "85 euros", "R$ 1.200", "2.000 euros", "R$ 65", "300 euros"],
    "drug": [
        "insulina",
        "ibuprofeno",
        "metformina",
        "antibióticos",
        "meu remédio de pressão",
        "quimioterapia",
        "paracetamol",
    ],
    "city": ["Recife", "Curitiba", "Belém", "Porto", "Coimbra", "Manaus"],
    "phone": ["+55 11 95550-1234", "(21) 95550-0199", "+351 912 555 042", "0800 555 0142"],
    "group": [
        "os imigrantes",
        "os refugiados",
        "o pessoal da favela",
        "os manifestantes",
        "os muçulmanos",
        "os moradores de rua",
        "os ciganos",
    ],
    "who": ["cara", "amigo", "você", "parceiro", "querida"],
    "quote_bad": [
        "quem recebe auxílio é parasita",
        "os manifestantes são uma praga",
        "vamos esmagar os sindicatos",
        "isto é uma invasão",
    ],
    "ordinary": [
        "Acho que {topic} vai atingir principalmente as famílias jovens; {party} devia ter consultado antes.",
        "Bom artigo. Minha pergunta é quem paga {topic} depois de {year}?",
        "Os números sobre {topic} parecem certos, mas o cronograma é otimista demais.",
        "Conversamos sobre {topic} na reunião do bairro semana passada e as opiniões ficaram divididas. A "
        "maioria quer mais detalhes.",
    ],
    "official_link": [
        "O texto completo de {topic} está no site oficial: {src}",
        "Para quem quer os dados, o instituto de estatística publica aqui {src} e mostra alta de {pct}% desde "
        "{year}.",
        "Fonte: {src} (página {small}). Leiam antes de discutir {topic}.",
        "O próprio relatório do ministério ({src}) contradiz o que {pol} disse sobre {topic}.",
    ],
    "money_story": [
        "Meu aluguel subiu {amt} este ano e meu salário não mudou. {topic} chega tarde demais.",
        "Perdemos {amt} quando o banco encerrou nossa poupança programada e ninguém avisou.",
        "Meu pai trabalhou 40 anos e recebe {amt} de aposentadoria por mês. Ainda dizem que aposentado é "
        "rico.",
        "Paguei {amt} de conserto depois da enchente e o seguro recusou. Por isso me importo com {topic}.",
    ],
    "medicine_story": [
        "Minha filha precisa de {drug} todos os dias e agora isso nos custa {amt} por mês na farmácia.",
        "Depois da cirurgia me receitaram {drug} e esperei {small} semanas por causa da falta nas farmácias.",
        "Sou enfermeira e dou {drug} aos pacientes todo dia; a falta é real, não invenção da imprensa.",
        "Meu médico trocou {drug} por um genérico e continuo pagando {amt}. Tem algo errado.",
    ],
    "correction": [
        "Correção: a matéria diz {pct}% mas o número oficial é {pct2}%. Veja {src}",
        "Pequeno erro no terceiro parágrafo: a lei foi aprovada em {year}, não em {year2}.",
        "A frase atribuída a {pol} foi dita na verdade pelo ministro {name}. A transcrição é pública: {src}",
        "O gráfico confunde mil com milhões; a rubrica é de {num} milhões, não {num} mil.",
    ],
    "problem_report": [
        "O link para o relatório na matéria está quebrado, dá erro 404.",
        "O vídeo não roda no meu celular e a legenda da foto cita a cidade errada ({city}).",
        "Corrijam o título, por favor, diz {city} mas a notícia é sobre outra cidade.",
        "O mapa desta matéria não carrega para mim e a página pede login toda hora.",
    ],
    "strong_politics": [
        "Este governo é uma vergonha. {topic} é uma traição a todos os eleitores que confiaram nele.",
        "{pol} mente sobre {topic} há anos e deveria renunciar hoje. Vergonhoso.",
        "Condução totalmente incompetente de {topic}. {party} merece uma surra nas próximas eleições.",
        "Que plano corrupto e cínico. {pol} está vendendo o povo comum e todo mundo vê.",
    ],
    "quote": [
        '{pol} disse na TV: "Quem é contra {topic} é inimigo do progresso." Palavras que dividem.',
        'Citação literal do debate: "{quote_bad}". É isso que {pol} pensa de nós.',
        'Lembram quando {pol} chamou os aposentados de "um fardo para o país"? Eu lembro, e voto.',
        'Segundo a ata, {pol} disse no plenário: "{quote_bad}". Linguagem vergonhosa.',
    ],
    "violent_idiom": [
        "A oposição vai matar esse projeto na comissão, e ainda bem.",
        "{pol} foi completamente massacrado no debate de ontem à noite.",
        "Esse relatório é uma bomba; cabeças precisam rolar no ministério por causa de {topic}.",
        "Derrubaram {topic} antes de alguém ler. A reforma está morta e enterrada.",
    ],
    "sarcasm": [
        'Que ótimo, mais um imposto "temporário" de {amt}. O que poderia dar errado?',
        "Parabéns, {party}. Aumentar preços, cortar serviços e chamar de reforma. Genial.",
        "Claro, porque as últimas {small} promessas sobre {topic} deram tão certo.",
        "Maravilha, agora pago {amt} a mais e espero o dobro. Muito obrigado, {pol}.",
    ],
    "spam_nolink": [
        "Ganhe {amt} por semana em casa, sem experiência. Me chama no privado para saber mais.",
        "Perdi {small} kg em duas semanas com esse chá natural. Me pergunte que eu conto o segredo.",
        "Precisa de empréstimo rápido sem consulta ao SPC? Aprovação em 24 horas, fale comigo direto.",
        "Quer ganhar {amt} por dia com trading? Meu mentor mudou minha vida, escreva para ele e depois me "
        "agradeça.",
    ],
    "spam_phone": [
        "Empréstimo barato para todos, mesmo negativado, ligue ou WhatsApp {phone}.",
        "Rendimento garantido de {pct}% ao mês na sua poupança. WhatsApp {phone} para o plano.",
        "Sozinho hoje à noite? Garotas lindas esperam sua ligação: {phone}",
        "Traga a pessoa amada de volta em 48 horas com orações poderosas, ligue para o pai de santo {phone}.",
    ],
    "insult": [
        "Você é um completo idiota, {who}. Ninguém quer ler esse lixo.",
        "Cala a boca, {who}. Volta pra debaixo da sua pedra, seu perdedor patético.",
        "Quem escreveu esta matéria é um imbecil e devia ser demitido.",
        "{who}, você é burro demais para entender qualquer coisa. Some daqui.",
    ],
    "dehumanising": [
        "{group} são uma praga e deviam ser expulsos do país.",
        "Esses {group} são parasitas, se reproduzem como ratos.",
        "{group} não são gente, são animais. Livrem-se deles.",
        "Esses imundos {group} infestam nossas ruas como baratas. Limpem tudo.",
    ],
}

LANGS["it"] = {
    "topic": [
        "la riforma delle pensioni",
        "il tetto agli affitti",
        "la nuova accisa sul carburante",
        "la chiusura degli ospedali",
        "la legge sull'immigrazione",
        "il bilancio della scuola",
        "il caro bollette",
    ],
    "party": ["il governo", "l'opposizione", "la maggioranza", "la coalizione", "i Verdi"],
    "pol": ["il ministro {name}", "la premier", "la senatrice {name}", "{name}", "il sindaco"],
    "src": [
        "https://www.istat.it/it/archivio/",
        "https://www.gazzettaufficiale.it/eli/id/2023/",
        "https://www.camera.it/leg19/410",
        "https://www.governo.it/it/articolo/",
        "https://www.salute.gov.it/portale/farmaci/",
    ],
    "amt": ["40 €", "120 euro", "85 €", "1.200 euro", "2.000 €", "65 euro", "300 €"],
    "drug": [
        "l'insulina",
        "l'ibuprofene",
        "la metformina",
        "gli antibiotici",
        "le pastiglie per la pressione",
        "la chemioterapia",
        "il paracetamolo",
    ],
    "city": ["Bologna", "Bari", "Verona", "Palermo", "Trieste", "Padova"],
    "phone": ["+39 345 555 0123", "333 555 0199", "+39 06 5550 7788", "800 555 042"],
    "group": [
        "gli immigrati",
        "i profughi",
        "quelli del quartiere",
        "i manifestanti",
        "i musulmani",
        "i senzatetto",
        "i rom",
    ],
    "who": ["amico", "bello", "tu", "caro", "genio"],
    "quote_bad": [
        "chi prende il sussidio è un parassita",
        "i manifestanti sono una piaga",
        "schiacceremo i sindacati",
        "questa è un'invasione",
    ],
    "ordinary": [
        "Penso che {topic} colpirà soprattutto le giovani famiglie; {party} doveva consultare prima.",
        "Buon articolo. La mia domanda è: chi paga {topic} dopo il {year}?",
        "I numeri su {topic} mi sembrano giusti, ma i tempi sono molto ottimistici.",
        "Abbiamo parlato di {topic} alla riunione di condominio la settimana scorsa e le opinioni erano "
        "divise. Quasi tutti vogliono più dettagli.",
    ],
    "official_link": [
        "Il testo completo di {topic} è sul sito ufficiale: {src}",
        "Per chi vuole i dati, l'Istat li pubblica qui {src} e mostrano un aumento del {pct}% dal {year}.",
        "Fonte: {src} (pagina {small}). Leggetelo prima di discutere di {topic}.",
        "Il rapporto stesso del ministero ({src}) smentisce quello che {pol} ha detto su {topic}.",
    ],
    "money_story": [
        "Il mio affitto è salito di {amt} quest'anno e lo stipendio è fermo. {topic} arriva tardi.",
        "Abbiamo perso {amt} quando la banca ha chiuso il nostro piano di risparmio, senza avvisarci.",
        "Mio padre ha lavorato 40 anni e prende {amt} di pensione al mese. E poi dicono che i pensionati "
        "sono ricchi.",
        "Ho pagato {amt} di riparazioni dopo l'alluvione e l'assicurazione ha rifiutato. Per questo mi "
        "interessa {topic}.",
    ],
    "medicine_story": [
        "Mia figlia ha bisogno di {drug} ogni giorno e ora ci costa {amt} al mese in farmacia.",
        "Dopo l'intervento mi hanno prescritto {drug} e ho aspettato {small} settimane per la carenza.",
        "Faccio l'infermiera e do {drug} ai pazienti ogni giorno; la carenza è reale, non un'invenzione "
        "dei giornali.",
        "Il medico mi ha passato da {drug} a un generico e pago ancora {amt}. Qualcosa non va.",
    ],
    "correction": [
        "Correzione: l'articolo dice {pct}% ma il dato ufficiale è {pct2}%. Vedi {src}",
        "Piccolo errore nel terzo paragrafo: la legge è stata approvata nel {year}, non nel {year2}.",
        "La frase attribuita a {pol} l'ha detta in realtà il ministro {name}. Il resoconto è pubblico: {src}",
        "Il grafico confonde migliaia e milioni; la voce di bilancio è di {num} milioni, non {num} mila.",
    ],
    "problem_report": [
        "Il link al rapporto nell'articolo non funziona, dà errore 404.",
        "Il video non parte sul mio telefono e la didascalia della foto indica la città sbagliata ({city}).",
        "Correggete il titolo per favore, dice {city} ma la notizia riguarda un'altra città.",
        "La mappa in questo articolo non si carica e il sito continua a chiedermi di accedere di nuovo.",
    ],
    "strong_politics": [
        "Questo governo è una vergogna. {topic} è un tradimento di tutti gli elettori che si sono fidati.",
        "{pol} mente su {topic} da anni e dovrebbe dimettersi oggi. Vergognoso.",
        "Gestione totalmente incompetente di {topic}. {party} merita una batosta alle prossime elezioni.",
        "Che piano corrotto e cinico. {pol} sta svendendo la gente comune e lo vedono tutti.",
    ],
    "quote": [
        "{pol} ha detto in TV: «Chi si oppone a {topic} è nemico del progresso». Parole che dividono.",
        "Citazione testuale dal dibattito: «{quote_bad}». Ecco cosa pensa {pol} di noi.",
        "Vi ricordate quando {pol} chiamò i pensionati «un peso per la nazione»? Io sì, e voto.",
        "Secondo il resoconto, {pol} ha detto alla Camera: «{quote_bad}». Un linguaggio indegno.",
    ],
    "violent_idiom": [
        "L'opposizione ucciderà questa legge in commissione, e meno male.",
        "{pol} è stato letteralmente fatto a pezzi nel dibattito di ieri sera.",
        "Questo rapporto è una bomba; al ministero devono rotolare teste per {topic}.",
        "Hanno affossato {topic} prima che qualcuno lo leggesse. La riforma è morta e sepolta.",
    ],
    "sarcasm": [
        "Fantastico, un'altra tassa «temporanea» da {amt}. Cosa potrebbe andare storto?",
        "Complimenti, {party}. Alzare i prezzi, tagliare i servizi e chiamarla riforma. Geniale.",
        "Certo, perché le ultime {small} promesse su {topic} sono andate benissimo.",
        "Meraviglioso, ora pago {amt} in più e aspetto il doppio. Grazie tante, {pol}.",
    ],
    "spam_nolink": [
        "Guadagna {amt} a settimana da casa, senza esperienza. Scrivimi in privato per i dettagli.",
        "Ho perso {small} kg in due settimane con questa tisana naturale. Chiedimi come, svelo il segreto.",
        "Ti serve un prestito veloce senza controlli? Approvazione in 24 ore, contattami direttamente.",
        "Vuoi guadagnare {amt} al giorno col trading? Il mio mentore mi ha cambiato la vita, scrivigli e poi "
        "ringraziami.",
    ],
    "spam_phone": [
        "Prestiti economici per tutti, anche protestati, chiama o WhatsApp {phone}.",
        "Rendimento garantito del {pct}% al mese sui tuoi risparmi. WhatsApp {phone} per il piano.",
        "Solo stasera? Ragazze bellissime aspettano la tua chiamata: {phone}",
        "Riporta a te la persona amata in 48 ore con preghiere potenti, chiama il guaritore al {phone}.",
    ],
    "insult": [
        "Sei un perfetto idiota, {who}. Nessuno vuole leggere le tue schifezze.",
        "Stai zitto, {who}. Torna sotto il tuo sasso, patetico fallito.",
        "Chi ha scritto questo articolo è un cretino e andrebbe licenziato.",
        "{who}, sei troppo stupido per capire qualcosa. Sparisci.",
    ],
    "dehumanising": [
        "{group} sono feccia e vanno cacciati dal paese.",
        "Questi {group} sono parassiti, si riproducono come topi.",
        "{group} non sono esseri umani, sono bestie. Liberiamocene.",
        "Quei lerci {group} infestano le nostre strade come scarafaggi. Ripulite tutto.",
    ],
}

LANGS["nl"] = {
    "topic": [
        "de pensioenhervorming",
        "de huurbevriezing",
        "de nieuwe brandstofaccijns",
        "de sluiting van ziekenhuizen",
        "de asielwet",
        "het onderwijsbudget",
        "het energieplafond",
    ],
    "party": ["het kabinet", "de oppositie", "de coalitie", "de regeringspartij", "GroenLinks"],
    "pol": ["minister {name}", "de premier", "mevrouw {name}", "{name}", "de burgemeester"],
    "src": [
        "https://www.cbs.nl/nl-nl/nieuws/",
        "https://wetten.overheid.nl/BWBR0005537/",
        "https://www.tweedekamer.nl/kamerstukken/",
        "https://www.rijksoverheid.nl/documenten/",
        "https://www.dnb.nl/statistieken/",
    ],
    "amt": ["€ 40", "120 euro", "€ 85", "1.200 euro", "€ 2.000", "65 euro", "€ 300"],
    "drug": [
        "insuline",
        "ibuprofen",
        "metformine",
        "antibiotica",
        "mijn bloeddrukpillen",
        "chemotherapie",
        "paracetamol",
    ],
    "city": ["Groningen", "Tilburg", "Zwolle", "Eindhoven", "Leiden", "Arnhem"],
    "phone": ["+31 6 5550 1234", "06 5550 0199", "0800 555 0142", "+31 20 555 7788"],
    "group": [
        "buitenlanders",
        "vluchtelingen",
        "die lui uit de wijk",
        "de demonstranten",
        "moslims",
        "daklozen",
        "de woonwagenbewoners",
    ],
    "who": ["man", "jij", "vriend", "maat", "schat"],
    "quote_bad": [
        "uitkeringstrekkers zijn parasieten",
        "de demonstranten zijn een plaag",
        "we gaan de vakbonden verpletteren",
        "dit is een invasie",
    ],
    "ordinary": [
        "Ik denk dat {topic} vooral jonge gezinnen raakt; {party} had eerst moeten overleggen.",
        "Goed artikel. Mijn vraag is wie {topic} na {year} betaalt?",
        "De cijfers over {topic} kloppen volgens mij, maar de planning is erg optimistisch.",
        "We hebben {topic} vorige week op de bewonersavond besproken en de meningen waren verdeeld. De "
        "meesten willen eerst meer details.",
    ],
    "official_link": [
        "De volledige tekst over {topic} staat op de officiële site: {src}",
        "Voor wie de cijfers wil: het CBS publiceert ze hier {src} en ze laten sinds {year} een stijging "
        "van {pct}% zien.",
        "Bron: {src} (pagina {small}). Lees het voordat je over {topic} gaat discussiëren.",
        "Het eigen rapport van het ministerie ({src}) spreekt tegen wat {pol} over {topic} zei.",
    ],
    "money_story": [
        "Mijn huur ging dit jaar {amt} omhoog en mijn salaris niet. {topic} komt veel te laat.",
        "We zijn {amt} kwijtgeraakt toen de bank onze spaarregeling stopte, niemand waarschuwde ons.",
        "Mijn vader heeft 40 jaar gewerkt en krijgt {amt} pensioen per maand. En dan zeggen ze dat "
        "gepensioneerden rijk zijn.",
        "Ik betaalde {amt} voor reparaties na de overstroming en de verzekeraar weigerde. Daarom vind ik "
        "{topic} belangrijk.",
    ],
    "medicine_story": [
        "Mijn dochter heeft elke dag {drug} nodig en dat kost ons nu {amt} per maand bij de apotheek.",
        "Na mijn operatie kreeg ik {drug} voorgeschreven en wachtte ik {small} weken door tekorten.",
        "Als verpleegkundige geef ik dagelijks {drug}; de tekorten zijn echt, niet verzonnen door de pers.",
        "Mijn huisarts zette me van {drug} over op een merkloos middel en ik betaal nog steeds {amt}. Er "
        "klopt iets niet.",
    ],
    "correction": [
        "Correctie: in het artikel staat {pct}% maar het officiële cijfer is {pct2}%. Zie {src}",
        "Kleine fout in de derde alinea: de wet is in {year} aangenomen, niet in {year2}.",
        "Het citaat van {pol} kwam eigenlijk van minister {name}. Het verslag is openbaar: {src}",
        "De grafiek haalt duizenden en miljoenen door elkaar; de begrotingspost is {num} miljoen, niet {num} "
        "duizend.",
    ],
    "problem_report": [
        "De link naar het rapport in het artikel werkt niet, ik krijg een 404.",
        "De video speelt niet af op mijn telefoon en het bijschrift noemt de verkeerde stad ({city}).",
        "Graag de kop aanpassen, er staat {city} maar het gaat over een andere stad.",
        "De kaart in dit artikel laadt niet bij mij en de site vraagt steeds of ik opnieuw wil inloggen.",
    ],
    "strong_politics": [
        "Dit kabinet is een schande. {topic} is verraad aan elke kiezer die hen vertrouwde.",
        "{pol} liegt al jaren over {topic} en moet vandaag nog aftreden. Schandalig.",
        "Volkomen incompetente aanpak van {topic}. {party} verdient een afstraffing bij de volgende "
        "verkiezingen.",
        "Wat een corrupt en cynisch plan. {pol} verkoopt de gewone man en iedereen ziet het.",
    ],
    "quote": [
        '{pol} zei op tv: "Wie tegen {topic} is, is een vijand van de vooruitgang." Polariserende woorden.',
        'Letterlijk citaat uit het debat: "{quote_bad}". Zo denkt {pol} over ons.',
        'Weet je nog dat {pol} gepensioneerden "een last voor het land" noemde? Ik wel, en ik stem.',
        'Volgens het verslag zei {pol} in de Kamer: "{quote_bad}". Schandalig taalgebruik.',
    ],
    "violent_idiom": [
        "De oppositie gaat deze wet in de commissie om zeep helpen, en terecht.",
        "{pol} werd gisteravond in het debat volledig afgemaakt.",
        "Dit rapport is een bom; op het ministerie moeten koppen rollen om {topic}.",
        "Ze hebben {topic} neergeschoten voordat iemand het las. De hervorming is morsdood.",
    ],
    "sarcasm": [
        'Geweldig, weer een "tijdelijke" belasting van {amt}. Wat kan er misgaan?',
        "Goed gedaan, {party}. Prijzen omhoog, voorzieningen omlaag en het hervorming noemen. Briljant.",
        "Tuurlijk, want de laatste {small} beloftes over {topic} pakten zo goed uit.",
        "Prachtig, nu betaal ik {amt} meer en wacht ik twee keer zo lang. Hartelijk dank, {pol}.",
    ],
    "spam_nolink": [
        "Verdien {amt} per week vanuit huis, geen ervaring nodig. Stuur me een privébericht voor details.",
        "Ik ben {small} kilo afgevallen in twee weken met deze natuurlijke thee. Vraag me hoe, ik deel het "
        "geheim.",
        "Snel een lening nodig zonder BKR-toets? Goedkeuring binnen 24 uur, neem direct contact met me op.",
        "Wil je {amt} per dag verdienen met traden? Mijn mentor veranderde mijn leven, schrijf hem en bedank "
        "me later.",
    ],
    "spam_phone": [
        "Goedkope leningen voor iedereen, ook met BKR, bel of WhatsApp {phone}.",
        "Gegarandeerd {pct}% rendement per maand op je spaargeld. WhatsApp {phone} voor het plan.",
        "Eenzaam vanavond? Mooie vrouwen wachten op je telefoontje: {phone}",
        "Krijg je geliefde binnen 48 uur terug met krachtige gebeden, bel de genezer op {phone}.",
    ],
    "insult": [
        "Je bent een complete idioot, {who}. Niemand wil jouw onzin lezen.",
        "Hou je mond, {who}. Kruip terug onder je steen, zielige loser.",
        "Wie dit artikel schreef is een randdebiel en moet ontslagen worden.",
        "{who}, je bent te dom om ook maar iets te begrijpen. Rot op.",
    ],
    "dehumanising": [
        "{group} zijn ongedierte en moeten het land uit gegooid worden.",
        "Die {group} zijn parasieten, ze vermenigvuldigen zich als ratten.",
        "{group} zijn geen mensen, het zijn beesten. Weg ermee.",
        "Smerige {group} vergeven onze straten als kakkerlakken. Ruim ze op.",
    ],
}

LANGS["pl"] = {
    "topic": [
        "reforma emerytalna",
        "limit czynszów",
        "nowa akcyza na paliwo",
        "zamykanie szpitali",
        "ustawa o cudzoziemcach",
        "budżet na szkoły",
        "ceny prądu",
    ],
    "party": ["rząd", "opozycja", "koalicja", "partia rządząca", "Zieloni"],
    "pol": ["minister {name}", "premier", "pani {name}", "pan {name}", "prezydent miasta"],
    "src": [
        "https://stat.gov.pl/obszary-tematyczne/ceny-handel/",
        "https://isap.sejm.gov.pl/isap.nsf/",
        "https://www.sejm.gov.pl/Sejm10.nsf/stenogramy.xsp",
        "https://www.gov.pl/web/finanse/",
        "https://www.nbp.pl/statystyka/",
    ],
    "amt": ["40 zł", "120 złotych", "85 zł", "1200 zł", "2000 złotych", "65 zł", "300 zł"],
    "drug": [
        "insulinę",
        "ibuprofen",
        "metforminę",
        "antybiotyki",
        "leki na ciśnienie",
        "chemioterapię",
        "paracetamol",
    ],
    "city": ["Wrocław", "Poznań", "Gdańsk", "Lublin", "Białystok", "Rzeszów"],
    "phone": ["+48 555 012 345", "555 019 977", "+48 22 555 01 42", "800 555 042"],
    "group": ["imigranci", "uchodźcy", "ci z osiedla", "demonstranci", "muzułmanie", "bezdomni", "Romowie"],
    "who": ["koleś", "ty", "kolego", "mistrzu", "panienko"],
    "quote_bad": [
        "ludzie na zasiłkach to pasożyty",
        "demonstranci to plaga",
        "zmiażdżymy związki zawodowe",
        "to jest inwazja",
    ],
    "ordinary": [
        "Myślę, że {topic} uderzy głównie w młode rodziny; {party} powinna była to skonsultować.",
        "Dobry artykuł. Moje pytanie: kto zapłaci za to, że {topic} po {year} roku?",
        "Liczby dotyczące tematu, jakim jest {topic}, wydają się prawdziwe, ale harmonogram jest zbyt "
        "optymistyczny.",
        "Rozmawialiśmy o tym, że {topic} wraca, na zebraniu wspólnoty w zeszłym tygodniu i zdania były "
        "podzielone. Większość chce więcej szczegółów.",
    ],
    "official_link": [
        "Pełny tekst, czyli {topic} w szczegółach, jest na oficjalnej stronie: {src}",
        "Dla chętnych dane: GUS publikuje je tutaj {src} i pokazują wzrost o {pct}% od {year} roku.",
        "Źródło: {src} (strona {small}). Przeczytajcie, zanim zaczniecie się kłócić.",
        "Własny raport ministerstwa ({src}) przeczy temu, co {pol} mówił w tej sprawie.",
    ],
    "money_story": [
        "Mój czynsz wzrósł w tym roku o {amt}, a pensja stoi w miejscu. Ta zmiana przychodzi za późno.",
        "Straciliśmy {amt}, kiedy bank zamknął nasz plan oszczędnościowy, nikt nas nie uprzedził.",
        "Mój ojciec pracował 40 lat i dostaje {amt} emerytury miesięcznie. A potem słyszę, że emeryci są "
        "bogaci.",
        "Zapłaciłem {amt} za naprawy po powodzi, a ubezpieczyciel odmówił. Dlatego ta sprawa mnie obchodzi.",
    ],
    "medicine_story": [
        "Moja córka codziennie potrzebuje leku, to {drug}, i teraz płacimy za to {amt} miesięcznie w aptece.",
        "Po operacji przepisano mi {drug} i czekałem {small} tygodnie z powodu braków w aptekach.",
        "Jako pielęgniarka codziennie podaję pacjentom {drug}; braki są prawdziwe, nie wymyśliła ich prasa.",
        "Lekarz zamienił mi {drug} na zamiennik, a ja dalej płacę {amt}. Coś tu nie działa.",
    ],
    "correction": [
        "Sprostowanie: w artykule jest {pct}%, ale oficjalna liczba to {pct2}%. Zobacz {src}",
        "Mały błąd w trzecim akapicie: ustawę uchwalono w {year}, a nie w {year2} roku.",
        "Cytat przypisany osobie, którą jest {pol}, wypowiedział naprawdę minister {name}. Stenogram jest "
        "publiczny: {src}",
        "Na wykresie pomylono tysiące z milionami; pozycja w budżecie to {num} milionów, a nie {num} tysięcy.",
    ],
    "problem_report": [
        "Link do raportu w artykule nie działa, wyskakuje błąd 404.",
        "Film nie odtwarza się na moim telefonie, a podpis pod zdjęciem podaje złe miasto ({city}).",
        "Proszę poprawić tytuł, jest w nim {city}, a tekst dotyczy innego miasta.",
        "Mapa w tym artykule mi się nie ładuje, a strona ciągle każe mi się logować od nowa.",
    ],
    "strong_politics": [
        "Ten rząd to hańba. Ich polityka to zdrada wszystkich wyborców, którzy im zaufali.",
        "{pol} od lat kłamie w tej sprawie i powinien dziś podać się do dymisji. Żenujące.",
        "Kompletnie nieudolne prowadzenie sprawy. {party} zasługuje na łomot w następnych wyborach.",
        "Co za skorumpowany, cyniczny plan. {pol} sprzedaje zwykłych ludzi i wszyscy to widzą.",
    ],
    "quote": [
        "{pol} powiedział w telewizji: „Kto jest przeciw, jest wrogiem postępu”. Słowa, które dzielą.",
        "Dosłowny cytat z debaty: „{quote_bad}”. Tak {pol} o nas myśli.",
        "Pamiętacie, jak {pol} nazwał emerytów „ciężarem dla państwa”? Ja pamiętam i głosuję.",
        "Według stenogramu {pol} powiedział w Sejmie: „{quote_bad}”. Skandaliczny język.",
    ],
    "violent_idiom": [
        "Opozycja zabije ten projekt w komisji i bardzo dobrze.",
        "{pol} został wczoraj w debacie kompletnie zmiażdżony.",
        "Ten raport to bomba; w ministerstwie powinny polecieć głowy.",
        "Zestrzelili ten projekt, zanim ktokolwiek go przeczytał. Reforma jest martwa.",
    ],
    "sarcasm": [
        "Super, kolejny „tymczasowy” podatek {amt}. Co mogłoby pójść nie tak?",
        "Brawo, {party}. Podnieść ceny, obciąć usługi i nazwać to reformą. Genialne.",
        "Jasne, bo ostatnie {small} obietnice w tej sprawie tak świetnie się sprawdziły.",
        "Cudownie, teraz płacę {amt} więcej i czekam dwa razy dłużej. Wielkie dzięki.",
    ],
    "spam_nolink": [
        "Zarabiaj {amt} tygodniowo w domu, bez doświadczenia. Napisz do mnie prywatnie po szczegóły.",
        "Schudłam {small} kg w dwa tygodnie dzięki tej naturalnej herbacie. Zapytaj mnie, zdradzę sekret.",
        "Potrzebujesz szybkiej pożyczki bez BIK? Decyzja w 24 godziny, napisz do mnie bezpośrednio.",
        "Chcesz zarabiać {amt} dziennie na tradingu? Mój mentor zmienił moje życie, napisz do niego i "
        "podziękuj mi później.",
    ],
    "spam_phone": [
        "Tanie pożyczki dla każdego, także z długami, dzwoń lub WhatsApp {phone}.",
        "Gwarantowany zysk {pct}% miesięcznie z oszczędności. WhatsApp {phone} po plan inwestycyjny.",
        "Samotny dziś wieczorem? Piękne dziewczyny czekają na twój telefon: {phone}",
        "Odzyskaj ukochaną osobę w 48 godzin dzięki potężnym modlitwom, zadzwoń do uzdrowiciela {phone}.",
    ],
    "insult": [
        "Jesteś kompletnym idiotą, {who}. Nikt nie chce czytać twoich bzdur.",
        "Zamknij się, {who}. Wracaj pod swój kamień, żałosny frajerze.",
        "Ten, kto napisał ten artykuł, to kretyn i powinien zostać zwolniony.",
        "{who}, jesteś za głupi, żeby cokolwiek zrozumieć. Spadaj.",
    ],
    "dehumanising": [
        "{group} to robactwo i trzeba ich wyrzucić z kraju.",
        "Ci {group} to pasożyty, rozmnażają się jak szczury.",
        "{group} to nie ludzie, to zwierzęta. Pozbądźmy się ich.",
        "Brudni {group} zapluskwili nasze ulice jak karaluchy. Wyczyśćcie to.",
    ],
}

LANGS["sv"] = {
    "topic": [
        "pensionsreformen",
        "hyrestaket",
        "den nya bensinskatten",
        "nedläggningen av sjukhus",
        "migrationslagen",
        "skolbudgeten",
        "elpriskompensationen",
    ],
    "party": ["regeringen", "oppositionen", "koalitionen", "regeringspartiet", "Miljöpartiet"],
    "pol": ["minister {name}", "statsministern", "{name}", "riksdagsledamot {name}", "kommunalrådet"],
    "src": [
        "https://www.scb.se/hitta-statistik/",
        "https://www.riksdagen.se/sv/dokument-och-lagar/",
        "https://www.regeringen.se/pressmeddelanden/",
        "https://www.fhi.se/publikationer/",
        "https://www.riksbank.se/sv/statistik/",
    ],
    "amt": ["400 kronor", "1 200 kr", "850 kr", "12 000 kronor", "2 000 kr", "650 kr", "3 000 kronor"],
    "drug": [
        "insulin",
        "ibuprofen",
        "metformin",
        "antibiotika",
        "mina blodtrycksmediciner",
        "cellgifter",
        "paracetamol",
    ],
    "city": ["Umeå", "Malmö", "Örebro", "Luleå", "Västerås", "Gävle"],
    "phone": ["+46 70 555 01 23", "070-555 01 99", "+46 8 555 077 88", "020 555 042"],
    "group": [
        "invandrare",
        "flyktingar",
        "de där från förorten",
        "demonstranterna",
        "muslimer",
        "hemlösa",
        "romer",
    ],
    "who": ["du", "grabben", "kompis", "gubben", "lilla vän"],
    "quote_bad": [
        "bidragstagare är parasiter",
        "demonstranterna är en pest",
        "vi ska krossa facken",
        "det här är en invasion",
    ],
    "ordinary": [
        "Jag tror att {topic} främst drabbar unga familjer; {party} borde ha frågat först.",
        "Bra artikel. Min fråga är vem som betalar för {topic} efter {year}?",
        "Siffrorna om {topic} verkar stämma, men tidsplanen är väldigt optimistisk.",
        "Vi pratade om {topic} på bostadsföreningens möte förra veckan och åsikterna gick isär. De flesta "
        "vill ha mer detaljer.",
    ],
    "official_link": [
        "Hela texten om {topic} finns på den officiella sidan: {src}",
        "För den som vill se siffrorna: SCB publicerar dem här {src} och de visar en ökning med {pct} % "
        "sedan {year}.",
        "Källa: {src} (sida {small}). Läs den innan ni bråkar om {topic}.",
        "Departementets egen rapport ({src}) motsäger det {pol} sa om {topic}.",
    ],
    "money_story": [
        "Min hyra gick upp med {amt} i år och lönen stod still. {topic} kommer alldeles för sent.",
        "Vi förlorade {amt} när banken lade ner vårt sparprogram och ingen varnade oss.",
        "Min pappa jobbade i 40 år och får {amt} i pension i månaden. Och sen säger de att pensionärer är "
        "rika.",
        "Jag betalade {amt} för reparationer efter översvämningen och försäkringsbolaget sa nej. Därför bryr "
        "jag mig om {topic}.",
    ],
    "medicine_story": [
        "Min dotter behöver {drug} varje dag och nu kostar det oss {amt} i månaden på apoteket.",
        "Efter operationen fick jag {drug} utskrivet och väntade i {small} veckor på grund av brist.",
        "Som sjuksköterska ger jag {drug} till patienter varje dag; bristen är verklig, inte påhittad av "
        "pressen.",
        "Läkaren bytte mitt {drug} mot ett generiskt preparat och jag betalar fortfarande {amt}. Något är "
        "fel.",
    ],
    "correction": [
        "Rättelse: artikeln säger {pct} % men den officiella siffran är {pct2} %. Se {src}",
        "Litet fel i tredje stycket: lagen klubbades {year}, inte {year2}.",
        "Citatet som tillskrivs {pol} sades egentligen av minister {name}. Protokollet är offentligt: {src}",
        "Diagrammet blandar ihop tusental och miljoner; budgetposten är {num} miljoner, inte {num} tusen.",
    ],
    "problem_report": [
        "Länken till rapporten i artikeln är trasig, den ger ett 404-fel.",
        "Videon spelas inte upp på min telefon och bildtexten anger fel stad ({city}).",
        "Rätta gärna rubriken, där står {city} men artikeln handlar om en annan stad.",
        "Kartan i den här artikeln laddar inte för mig och sidan ber mig logga in gång på gång.",
    ],
    "strong_politics": [
        "Den här regeringen är en skam. {topic} är ett svek mot varje väljare som litade på dem.",
        "{pol} har ljugit om {topic} i åratal och borde avgå i dag. Skamligt.",
        "Fullständigt inkompetent hantering av {topic}. {party} förtjänar att bli utslagna i nästa val.",
        "Vilken korrupt och cynisk plan. {pol} säljer ut vanligt folk och alla ser det.",
    ],
    "quote": [
        "{pol} sa i tv: ”De som är emot {topic} är fiender till framsteg.” Splittrande ord.",
        "Ordagrant citat från debatten: ”{quote_bad}”. Så tycker {pol} om oss.",
        "Minns ni när {pol} kallade pensionärer ”en börda för landet”? Det gör jag, och jag röstar.",
        "Enligt protokollet sa {pol} i riksdagen: ”{quote_bad}”. Ett skamligt språk.",
    ],
    "violent_idiom": [
        "Oppositionen kommer att döda förslaget i utskottet, och tur är väl det.",
        "{pol} blev totalt sönderslagen i debatten i går kväll.",
        "Rapporten är en bomb; huvuden borde rulla på departementet för {topic}.",
        "De sköt ner {topic} innan någon hann läsa det. Reformen är stendöd.",
    ],
    "sarcasm": [
        "Toppen, ännu en ”tillfällig” skatt på {amt}. Vad kan gå fel?",
        "Snyggt jobbat, {party}. Höj priserna, skär i välfärden och kalla det reform. Genialt.",
        "Visst, för de senaste {small} löftena om {topic} gick ju så bra.",
        "Underbart, nu betalar jag {amt} mer och väntar dubbelt så länge. Tack så mycket, {pol}.",
    ],
    "spam_nolink": [
        "Tjäna {amt} i veckan hemifrån, ingen erfarenhet krävs. Skriv privat till mig för detaljer.",
        "Jag gick ner {small} kilo på två veckor med det här naturliga teet. Fråga mig så delar jag "
        "hemligheten.",
        "Behöver du ett snabblån utan UC? Besked inom 24 timmar, kontakta mig direkt.",
        "Vill du tjäna {amt} om dagen på trading? Min mentor förändrade mitt liv, skriv till honom och tacka "
        "mig sen.",
    ],
    "spam_phone": [
        "Billiga lån till alla, även med betalningsanmärkning, ring eller WhatsApp {phone}.",
        "Garanterad avkastning på {pct} % i månaden på ditt sparande. WhatsApp {phone} för planen.",
        "Ensam i kväll? Vackra tjejer väntar på ditt samtal: {phone}",
        "Få tillbaka din älskade på 48 timmar med kraftfulla böner, ring helaren på {phone}.",
    ],
    "insult": [
        "Du är en komplett idiot, {who}. Ingen vill läsa ditt skräp.",
        "Håll käften, {who}. Kryp tillbaka under din sten, din patetiska förlorare.",
        "Den som skrev den här artikeln är en pucko och borde få sparken.",
        "{who}, du är för korkad för att förstå någonting. Stick.",
    ],
    "dehumanising": [
        "{group} är ohyra och borde kastas ut ur landet.",
        "De här {group} är parasiter, de förökar sig som råttor.",
        "{group} är inga människor, de är djur. Gör er av med dem.",
        "Smutsiga {group} befolkar våra gator som kackerlackor. Städa bort dem.",
    ],
}

LANGS["ja"] = {
    "topic": [
        "年金改革",
        "家賃の上限規制",
        "新しいガソリン税",
        "病院の統廃合",
        "入管法の改正",
        "教育予算",
        "電気料金の補助",
    ],
    "party": ["政府", "野党", "与党", "連立政権", "内閣"],
    "pol": ["{name}大臣", "首相", "{name}議員", "{name}氏", "市長"],
    "src": [
        "https://www.stat.go.jp/data/cpi/",
        "https://www.e-gov.go.jp/law/",
        "https://www.mhlw.go.jp/stf/",
        "https://www.shugiin.go.jp/internet/itdb_kaigiroku.nsf/",
        "https://www.boj.or.jp/statistics/",
    ],
    "name": ["田中", "佐藤", "鈴木", "高橋", "山本", "中村", "小林"],
    "amt": ["4千円", "1万2千円", "8500円", "12万円", "2万円", "6500円", "30万円"],
    "drug": ["インスリン", "イブプロフェン", "メトホルミン", "抗生物質", "血圧の薬", "抗がん剤", "咳止め"],
    "city": ["札幌", "仙台", "広島", "福岡", "金沢", "那覇"],
    "phone": ["090-5550-1234", "080 5550 0199", "+81 90 5550 7788", "0120-555-042"],
    "group": ["外国人", "難民", "あの地区の連中", "デモ隊", "イスラム教徒", "ホームレス", "移民"],
    "who": ["お前", "あんた", "君", "おい", "この人"],
    "quote_bad": [
        "生活保護の人たちは寄生虫だ",
        "デモ隊は害虫のようなものだ",
        "労働組合を叩き潰す",
        "これは侵略だ",
    ],
    "ordinary": [
        "{topic}は主に若い家庭に影響すると思います。{party}はもっと事前に説明すべきでした。",
        "良い記事でした。{year}年以降、{topic}の費用は誰が負担するのでしょうか。",
        "{topic}の数字は正しいと思いますが、スケジュールはかなり楽観的ですね。",
        "先週の町内会で{topic}について話し合いましたが、意見は分かれました。多くの人はもっと詳しい説明を"
        "求めています。",
    ],
    "official_link": [
        "{topic}の全文は公式サイトに載っています：{src}",
        "データを見たい方へ。統計局がここで公開しています {src} 。{year}年から{pct}％上昇しています。",
        "出典：{src}（{small}ページ）。{topic}を議論する前に読んでください。",
        "省の報告書（{src}）は、{pol}が{topic}について言ったことと矛盾しています。",
    ],
    "money_story": [
        "今年は家賃が{amt}上がったのに、給料は変わりません。{topic}は遅すぎます。",
        "銀行が積立プランを終了したとき、私たちは{amt}を失いました。誰も教えてくれなかった。",
        "父は40年働いて、年金は月{amt}です。それでも年金生活者は裕福だと言うのですか。",
        "洪水のあと修理に{amt}払いましたが、保険会社は支払いを拒否しました。だから{topic}が気になります。",
    ],
    "medicine_story": [
        "娘は毎日{drug}が必要で、今は薬局で月に{amt}かかっています。",
        "手術のあと{drug}を処方されましたが、品不足で{small}週間待ちました。",
        "看護師として毎日患者さんに{drug}を投与しています。品不足は本当で、報道の作り話ではありません。",
        "医者に{drug}をジェネリックに変えられましたが、まだ{amt}払っています。何かがおかしい。",
    ],
    "correction": [
        "訂正：記事には{pct}％とありますが、公式の数字は{pct2}％です。{src} を参照してください。",
        "第3段落に小さな誤りがあります。法律が成立したのは{year}年で、{year2}年ではありません。",
        "{pol}の発言とされている言葉は、実際には{name}大臣のものです。議事録は公開されています：{src}",
        "グラフで千と百万が混同されています。予算額は{num}百万円で、{num}千円ではありません。",
    ],
    "problem_report": [
        "記事中の報告書へのリンクが切れていて、404エラーになります。",
        "スマホで動画が再生されません。写真の説明も都市名が間違っています（{city}）。",
        "見出しを直してください。{city}となっていますが、記事は別の町の話です。",
        "この記事の地図が表示されず、何度もログインを求められます。",
    ],
    "strong_politics": [
        "この政府は恥さらしだ。{topic}は信じて投票した有権者全員への裏切りだ。",
        "{pol}は何年も{topic}について嘘をついてきた。今日にも辞任すべきだ。情けない。",
        "{topic}の対応はまったく無能だ。{party}は次の選挙で惨敗して当然だ。",
        "なんと腐敗した冷笑的な計画だろう。{pol}は庶民を売り渡していて、誰の目にも明らかだ。",
    ],
    "quote": [
        "{pol}はテレビで「{topic}に反対する者は進歩の敵だ」と言った。分断をあおる言葉だ。",
        "討論での発言そのまま：「{quote_bad}」。これが{pol}の私たちへの見方だ。",
        "{pol}が高齢者を「国のお荷物」と呼んだのを覚えていますか。私は覚えているし、投票に行きます。",
        "議事録によると、{pol}は国会で「{quote_bad}」と述べた。ひどい言葉遣いだ。",
    ],
    "violent_idiom": [
        "野党は委員会でこの法案を葬り去るだろう。それでいい。",
        "{pol}は昨夜の討論で完全に叩きのめされた。",
        "この報告書は爆弾だ。{topic}の件で省内の首が飛ぶべきだ。",
        "誰も読まないうちに{topic}は撃ち落とされた。改革は完全に死んだ。",
    ],
    "sarcasm": [
        "素晴らしい、また{amt}の「一時的な」税金か。何の問題もないよね。",
        "よくやった、{party}。値上げして、サービスを削って、それを改革と呼ぶ。天才だね。",
        "そうだよね、{topic}についての前回の{small}つの約束はとてもうまくいったもんね。",
        "最高だね、{amt}多く払って二倍待たされる。本当にありがとう、{pol}。",
    ],
    "spam_nolink": [
        "在宅で週{amt}稼げます。経験不要。詳しくは個別にメッセージください。",
        "この天然茶で2週間で{small}キロ痩せました。方法を知りたい方は聞いてください、秘密を教えます。",
        "審査なしの即日融資が必要ですか？24時間以内に承認、直接ご連絡ください。",
        "トレードで1日{amt}稼ぎたい？私のメンターが人生を変えてくれました。彼に連絡して、あとで感謝してね。",
    ],
    "spam_phone": [
        "誰でも借りられる低金利ローン、ブラックでもOK、今すぐ電話かLINEで {phone}",
        "毎月{pct}％の利回り保証。投資プランはWhatsAppで {phone} まで。",
        "今夜ひとり？かわいい女の子があなたの電話を待っています：{phone}",
        "強力な祈祷で48時間以内に恋人が戻ってきます。霊能者に電話を {phone}",
    ],
    "insult": [
        "{who}は本当に救いようのない馬鹿だな。誰もお前のゴミみたいな書き込みなんか読みたくない。",
        "黙れ、{who}。石の下に帰れ、この哀れな負け犬が。",
        "この記事を書いた奴はアホだ。クビにすべきだ。",
        "{who}は頭が悪すぎて何も理解できないんだな。消えろ。",
    ],
    "dehumanising": [
        "{group}は害虫だ、国から追い出せ。",
        "こういう{group}は寄生虫で、ネズミのように増える。",
        "{group}は人間じゃない、動物だ。駆除しろ。",
        "汚い{group}がゴキブリのように街にはびこっている。一掃しろ。",
    ],
}

LANGS["ar"] = {
    "topic": [
        "إصلاح نظام التقاعد",
        "سقف الإيجارات",
        "ضريبة الوقود الجديدة",
        "إغلاق المستشفيات",
        "قانون الهجرة",
        "ميزانية التعليم",
        "دعم الكهرباء",
    ],
    "party": ["الحكومة", "المعارضة", "الحزب الحاكم", "الائتلاف", "البرلمان"],
    "pol": ["الوزير {name}", "رئيس الوزراء", "النائب {name}", "{name}", "المحافظ"],
    "src": [
        "https://www.capmas.gov.eg/Pages/StaticPages.aspx",
        "https://www.stats.gov.sa/ar/statistics",
        "https://www.parliament.gov.ma/ar/",
        "https://www.moh.gov.sa/Ministry/MediaCenter/",
        "https://www.cbj.gov.jo/ar/statistics",
    ],
    "name": ["أحمد", "خالد", "سعيد", "يوسف", "عمر", "حسن", "كريم"],
    "amt": ["40 دولارًا", "120 دينارًا", "850 جنيهًا", "1200 ريال", "2000 درهم", "65 دولارًا", "300 دينار"],
    "drug": [
        "الأنسولين",
        "الإيبوبروفين",
        "الميتفورمين",
        "المضادات الحيوية",
        "دواء الضغط",
        "العلاج الكيميائي",
        "الباراسيتامول",
    ],
    "city": ["الإسكندرية", "جدة", "مراكش", "إربد", "صفاقس", "الموصل"],
    "phone": ["+20 100 555 0123", "0555 019 977", "+966 55 501 2345", "+212 6 5550 4242"],
    "group": ["المهاجرون", "اللاجئون", "سكان ذلك الحي", "المتظاهرون", "الأجانب", "المشردون", "الغجر"],
    "who": ["يا هذا", "يا أخي", "أنت", "يا صاحبي", "يا عزيزي"],
    "quote_bad": ["من يعيشون على المعونات طفيليات", "المتظاهرون وباء", "سنسحق النقابات", "هذا غزو"],
    "ordinary": [
        "أعتقد أن {topic} سيضر العائلات الشابة أكثر من غيرها، وكان على {party} أن تستشير الناس أولًا.",
        "مقال جيد. سؤالي: من سيدفع تكلفة {topic} بعد عام {year}؟",
        "الأرقام الخاصة بـ{topic} تبدو صحيحة، لكن الجدول الزمني متفائل جدًا.",
        "ناقشنا {topic} في اجتماع الحي الأسبوع الماضي وانقسمت الآراء. معظم الناس يريدون تفاصيل أكثر.",
    ],
    "official_link": [
        "النص الكامل لـ{topic} موجود على الموقع الرسمي: {src}",
        "لمن يريد البيانات، جهاز الإحصاء ينشرها هنا {src} وتظهر ارتفاعًا بنسبة {pct}% منذ {year}.",
        "المصدر: {src} (صفحة {small}). اقرؤوه قبل الجدال حول {topic}.",
        "تقرير الوزارة نفسه ({src}) يناقض ما قاله {pol} عن {topic}.",
    ],
    "money_story": [
        "ارتفع إيجاري {amt} هذا العام وراتبي لم يتغير. {topic} جاء متأخرًا جدًا.",
        "خسرنا {amt} عندما أغلق البنك خطة الادخار الخاصة بنا ولم يحذرنا أحد.",
        "عمل أبي أربعين عامًا ومعاشه {amt} في الشهر. ثم يقولون إن المتقاعدين أغنياء.",
        "دفعت {amt} لإصلاحات بعد الفيضان ورفضت شركة التأمين التعويض. لهذا يهمني {topic}.",
    ],
    "medicine_story": [
        "ابنتي تحتاج {drug} كل يوم وأصبح يكلفنا {amt} شهريًا في الصيدلية.",
        "بعد العملية وصف لي الطبيب {drug} وانتظرت {small} أسابيع بسبب النقص.",
        "أنا ممرضة وأعطي المرضى {drug} يوميًا؛ النقص حقيقي وليس من اختراع الصحافة.",
        "غيّر طبيبي {drug} إلى دواء بديل وما زلت أدفع {amt}. هناك خلل ما.",
    ],
    "correction": [
        "تصحيح: المقال يقول {pct}% لكن الرقم الرسمي {pct2}%. انظر {src}",
        "خطأ صغير في الفقرة الثالثة: صدر القانون عام {year} وليس {year2}.",
        "التصريح المنسوب إلى {pol} قاله في الحقيقة الوزير {name}. المحضر منشور: {src}",
        "الرسم البياني يخلط بين الآلاف والملايين؛ البند في الميزانية {num} مليونًا وليس {num} ألفًا.",
    ],
    "problem_report": [
        "رابط التقرير في المقال لا يعمل، تظهر رسالة الخطأ 404.",
        "الفيديو لا يعمل على هاتفي، وتعليق الصورة يذكر مدينة خاطئة ({city}).",
        "يرجى تصحيح العنوان، مكتوب {city} لكن الخبر عن مدينة أخرى.",
        "الخريطة في هذا المقال لا تظهر عندي والموقع يطلب مني تسجيل الدخول مرة بعد مرة.",
    ],
    "strong_politics": [
        "هذه الحكومة عار. {topic} خيانة لكل ناخب وثق بها.",
        "{pol} يكذب بشأن {topic} منذ سنوات ويجب أن يستقيل اليوم. مخزٍ.",
        "إدارة فاشلة تمامًا لملف {topic}. {party} تستحق هزيمة ساحقة في الانتخابات القادمة.",
        "يا لها من خطة فاسدة وانتهازية. {pol} يبيع الناس العاديين والجميع يرى ذلك.",
    ],
    "quote": [
        "قال {pol} على التلفزيون: «من يعارض {topic} عدو للتقدم». كلمات تفرق الناس.",
        "اقتباس حرفي من المناظرة: «{quote_bad}». هذا رأي {pol} فينا.",
        "هل تذكرون عندما وصف {pol} المتقاعدين بأنهم «عبء على الوطن»؟ أنا أتذكر وسأصوت.",
        "بحسب المحضر، قال {pol} في البرلمان: «{quote_bad}». لغة مشينة.",
    ],
    "violent_idiom": [
        "المعارضة ستقتل هذا المشروع في اللجنة، وهذا أفضل.",
        "{pol} تعرض لسحق كامل في مناظرة الليلة الماضية.",
        "هذا التقرير قنبلة؛ يجب أن تتدحرج رؤوس في الوزارة بسبب {topic}.",
        "أسقطوا {topic} قبل أن يقرأه أحد. الإصلاح مات ودُفن.",
    ],
    "sarcasm": [
        "رائع، ضريبة «مؤقتة» أخرى بقيمة {amt}. ما الذي يمكن أن يسوء؟",
        "أحسنتم يا {party}. رفع الأسعار وتقليص الخدمات وتسمية ذلك إصلاحًا. عبقرية.",
        "طبعًا، لأن الوعود الـ{small} الأخيرة بشأن {topic} نجحت نجاحًا باهرًا.",
        "رائع، الآن أدفع {amt} أكثر وأنتظر ضعف المدة. شكرًا جزيلًا يا {pol}.",
    ],
    "spam_nolink": [
        "اربح {amt} أسبوعيًا من المنزل بدون خبرة. راسلني على الخاص للتفاصيل.",
        "خسرت {small} كيلو في أسبوعين بهذا الشاي الطبيعي. اسألني وسأخبرك بالسر.",
        "تحتاج قرضًا سريعًا بدون ضمانات؟ موافقة خلال 24 ساعة، تواصل معي مباشرة.",
        "تريد أن تربح {amt} يوميًا من التداول؟ مرشدي غيّر حياتي، راسله واشكرني لاحقًا.",
    ],
    "spam_phone": [
        "قروض رخيصة للجميع بدون كفيل، اتصل أو واتساب {phone}",
        "عائد مضمون {pct}% شهريًا على مدخراتك. واتساب {phone} لخطة الاستثمار.",
        "وحيد الليلة؟ فتيات جميلات ينتظرن اتصالك: {phone}",
        "أعد حبيبك خلال 48 ساعة بأدعية قوية، اتصل بالشيخ الروحاني على {phone}",
    ],
    "insult": [
        "أنت غبي تمامًا {who}. لا أحد يريد قراءة تفاهاتك.",
        "اخرس {who}. عد إلى جحرك أيها الفاشل المثير للشفقة.",
        "من كتب هذا المقال أحمق ويجب طرده.",
        "{who}، أنت أغبى من أن تفهم أي شيء. اغرب عن وجهي.",
    ],
    "dehumanising": [
        "{group} حشرات ويجب طردهم من البلد.",
        "هؤلاء {group} طفيليات، يتكاثرون مثل الفئران.",
        "{group} ليسوا بشرًا، إنهم حيوانات. تخلصوا منهم.",
        "{group} القذرون يغزون شوارعنا مثل الصراصير. نظفوها منهم.",
    ],
}

# Contractions the slot filling breaks ("de el" → "del"), per language.
CONTRACTIONS: dict[str, list[tuple[str, str]]] = {
    "es": [(" de el ", " del "), (" a el ", " al "), ("De el ", "Del ")],
    "it": [
        (" di il ", " del "),
        (" di la ", " della "),
        (" di l'", " dell'"),
        (" di i ", " dei "),
        (" su il ", " sul "),
        (" su la ", " sulla "),
        (" su l'", " sull'"),
        (" a il ", " al "),
        (" su i ", " sui "),
        (" da il ", " dal "),
    ],
    "fr": [
        (" de le ", " du "),
        (" à le ", " au "),
        (" de les ", " des "),
        (" à les ", " aux "),
        (" de l'", " de l'"),
    ],
    "pt": [
        (" sobre o ", " sobre o "),
        (" de o ", " do "),
        (" de a ", " da "),
        (" em o ", " no "),
        (" em a ", " na "),
    ],
}


def contract(lang: str, text: str) -> str:
    for old, new in CONTRACTIONS.get(lang, []):
        text = text.replace(old, new)
    return text


# The spam and abuse kinds again, with their telling words in slots (insults, dehumanising nouns, spam
# offers and calls to contact): a model can only recognise words it has seen, so the word lists are shared
# between the training and held-out templates, while the sentence patterns are not. These replace the
# fixed-wording templates above.
VOCAB: dict[str, dict[str, list[str]]] = {
    "en": {
        "insult_n": ["idiot", "moron", "imbecile", "clown", "loser", "cretin", "fool"],
        "insult_a": ["stupid", "pathetic", "brainless", "dumb", "worthless", "useless"],
        "vermin": ["vermin", "parasites", "rats", "cockroaches", "animals", "a plague", "scum", "filth"],
        "offer": [
            "{amt} a week working from home",
            "a fast loan with no credit check",
            "a tea that melts away {small} kg in two weeks",
            "a trading system paying {amt} a day",
            "an online job paying {amt} a day",
            "guaranteed returns of {pct}% a month",
        ],
        "contact": [
            "Message me privately",
            "Write to me directly",
            "Send me a private message",
            "Contact me now",
            "DM me for details",
            "Ask me how",
        ],
        "insult": [
            "You are a complete {insult_n}, {who}. Nobody wants to read your garbage.",
            "Shut up, {who}, you {insult_a} {insult_n}.",
            "Whoever wrote this article is a {insult_a} {insult_n} and should be fired.",
            "{who}, you're too {insult_a} to understand anything. Get lost, {insult_n}.",
        ],
        "dehumanising": [
            "{group} are {vermin} and should be thrown out of the country.",
            "These {group} are {vermin}, they breed and breed.",
            "{group} are not human, they're {vermin}. Get rid of them.",
            "Our streets are full of {group}. {vermin}, all of them. Clean them out.",
        ],
        "spam_nolink": [
            "Get {offer}, no experience or paperwork needed. {contact}.",
            "I found {offer} and it changed my life. {contact}, I will share the secret.",
            "Anyone interested in {offer}? Places are limited. {contact}.",
            "Want {offer}? My mentor showed me how. {contact} and thank me later.",
        ],
    },
    "de": {
        "insult_n": ["Idiot", "Vollidiot", "Trottel", "Schwachkopf", "Versager", "Depp", "Hohlkopf"],
        "insult_a": ["dumm", "erbärmlich", "hirnlos", "blöd", "wertlos", "nutzlos"],
        "vermin": [
            "Ungeziefer",
            "Parasiten",
            "Ratten",
            "Kakerlaken",
            "Tiere",
            "eine Plage",
            "Abschaum",
            "Dreck",
        ],
        "offer": [
            "{amt} pro Woche von zu Hause",
            "einen Sofortkredit ohne Schufa",
            "einen Tee, mit dem {small} kg in zwei Wochen verschwinden",
            "ein Trading-System mit {amt} am Tag",
            "einen Online-Job mit {amt} am Tag",
            "garantierte {pct} % Rendite im Monat",
        ],
        "contact": [
            "Schreib mir privat",
            "Kontaktiere mich direkt",
            "Schick mir eine Privatnachricht",
            "Melde dich jetzt bei mir",
            "Schreib mir eine PN",
            "Frag mich wie",
        ],
        "insult": [
            "Du bist ein kompletter {insult_n}, {who}. Niemand will deinen Müll lesen.",
            "Halt die Klappe, {who}, du {insult_a}er {insult_n}.",
            "Wer diesen Artikel geschrieben hat, ist ein {insult_n} und gehört gefeuert.",
            "{who}, du bist zu {insult_a}, um irgendwas zu verstehen. Verschwinde, {insult_n}.",
        ],
        "dehumanising": [
            "{group} sind {vermin} und gehören aus dem Land geworfen.",
            "Diese {group} sind {vermin}, die vermehren sich ohne Ende.",
            "{group} sind keine Menschen, das sind {vermin}. Weg mit denen.",
            "Unsere Straßen sind voll mit {group}. {vermin}, alle miteinander. Räumt sie weg.",
        ],
        "spam_nolink": [
            "Hol dir {offer}, ohne Erfahrung und ohne Papierkram. {contact}.",
            "Ich habe {offer} gefunden und es hat mein Leben verändert. {contact}, ich verrate das Geheimnis.",
            "Interesse an {offer}? Nur wenige Plätze. {contact}.",
            "Du willst {offer}? Mein Mentor hat mir gezeigt wie. {contact} und danke mir später.",
        ],
    },
    "fr": {
        "insult_n": ["idiot", "crétin", "imbécile", "abruti", "minable", "débile", "guignol"],
        "insult_a": ["stupide", "pathétique", "sans cervelle", "bête", "nul", "inutile"],
        "vermin": [
            "de la vermine",
            "des parasites",
            "des rats",
            "des cafards",
            "des animaux",
            "une peste",
            "des déchets",
            "de la racaille",
        ],
        "offer": [
            "{amt} par semaine depuis chez vous",
            "un prêt rapide sans justificatif",
            "une tisane qui fait fondre {small} kg en deux semaines",
            "une méthode de trading qui rapporte {amt} par jour",
            "un job en ligne payé {amt} par jour",
            "un rendement garanti de {pct} % par mois",
        ],
        "contact": [
            "Écrivez-moi en privé",
            "Contactez-moi directement",
            "Envoyez-moi un message privé",
            "Contactez-moi maintenant",
            "MP pour les détails",
            "Demandez-moi comment",
        ],
        "insult": [
            "Tu es un parfait {insult_n}, {who}. Personne ne veut lire tes âneries.",
            "Ferme-la, {who}, espèce de {insult_n} {insult_a}.",
            "Celui qui a écrit cet article est un {insult_n} et devrait être viré.",
            "{who}, tu es trop {insult_a} pour comprendre quoi que ce soit. Dégage, {insult_n}.",
        ],
        "dehumanising": [
            "{group} sont {vermin} et doivent être jetés hors du pays.",
            "Ces {group} sont {vermin}, ils se multiplient sans fin.",
            "{group} ne sont pas des humains, ce sont {vermin}. Débarrassez-nous d'eux.",
            "Nos rues sont pleines de {group}. {vermin}, tous autant qu'ils sont. Nettoyez tout ça.",
        ],
        "spam_nolink": [
            "Obtenez {offer}, sans expérience ni paperasse. {contact}.",
            "J'ai trouvé {offer} et ça a changé ma vie. {contact}, je partage le secret.",
            "Intéressé par {offer} ? Places limitées. {contact}.",
            "Vous voulez {offer} ? Mon mentor m'a montré comment. {contact} et vous me remercierez.",
        ],
    },
    "es": {
        "insult_n": ["idiota", "imbécil", "cretino", "payaso", "perdedor", "tarado", "subnormal"],
        "insult_a": ["estúpido", "patético", "descerebrado", "tonto", "inútil", "miserable"],
        "vermin": [
            "alimañas",
            "parásitos",
            "ratas",
            "cucarachas",
            "animales",
            "una plaga",
            "escoria",
            "basura",
        ],
        "offer": [
            "{amt} a la semana desde casa",
            "un préstamo rápido sin consultar ASNEF",
            "un té que elimina {small} kg en dos semanas",
            "un sistema de trading que da {amt} al día",
            "un trabajo online de {amt} al día",
            "una rentabilidad garantizada del {pct} % al mes",
        ],
        "contact": [
            "Escríbeme por privado",
            "Contáctame directamente",
            "Mándame un mensaje privado",
            "Contáctame ya",
            "MD para detalles",
            "Pregúntame cómo",
        ],
        "insult": [
            "Eres un completo {insult_n}, {who}. Nadie quiere leer tu basura.",
            "Cállate, {who}, {insult_n} {insult_a}.",
            "Quien escribió este artículo es un {insult_n} y deberían despedirlo.",
            "{who}, eres demasiado {insult_a} para entender nada. Lárgate, {insult_n}.",
        ],
        "dehumanising": [
            "{group} son {vermin} y hay que echarlos del país.",
            "Estos {group} son {vermin}, se multiplican sin parar.",
            "{group} no son personas, son {vermin}. Hay que librarse de ellos.",
            "Nuestras calles están llenas de {group}. {vermin}, todos ellos. Limpiadlo todo.",
        ],
        "spam_nolink": [
            "Consigue {offer}, sin experiencia ni papeleo. {contact}.",
            "Encontré {offer} y me cambió la vida. {contact}, te cuento el secreto.",
            "¿Alguien interesado en {offer}? Plazas limitadas. {contact}.",
            "¿Quieres {offer}? Mi mentor me enseñó cómo. {contact} y luego me lo agradeces.",
        ],
    },
    "pt": {
        "insult_n": ["idiota", "imbecil", "cretino", "palhaço", "perdedor", "otário", "babaca"],
        "insult_a": ["estúpido", "patético", "sem cérebro", "burro", "inútil", "miserável"],
        "vermin": ["vermes", "parasitas", "ratos", "baratas", "animais", "uma praga", "escória", "lixo"],
        "offer": [
            "{amt} por semana trabalhando em casa",
            "um empréstimo rápido sem consulta ao SPC",
            "um chá que derrete {small} kg em duas semanas",
            "um sistema de trading que rende {amt} por dia",
            "um trabalho online que paga {amt} por dia",
            "rendimento garantido de {pct}% ao mês",
        ],
        "contact": [
            "Me chama no privado",
            "Fale comigo direto",
            "Me manda uma mensagem privada",
            "Entre em contato agora",
            "Chama no direct",
            "Me pergunte como",
        ],
        "insult": [
            "Você é um completo {insult_n}, {who}. Ninguém quer ler esse lixo.",
            "Cala a boca, {who}, seu {insult_n} {insult_a}.",
            "Quem escreveu esta matéria é um {insult_n} e devia ser demitido.",
            "{who}, você é {insult_a} demais para entender qualquer coisa. Some daqui, {insult_n}.",
        ],
        "dehumanising": [
            "{group} são {vermin} e deviam ser expulsos do país.",
            "Esses {group} são {vermin}, se multiplicam sem parar.",
            "{group} não são gente, são {vermin}. Livrem-se deles.",
            "Nossas ruas estão cheias de {group}. {vermin}, todos eles. Limpem tudo.",
        ],
        "spam_nolink": [
            "Consiga {offer}, sem experiência e sem burocracia. {contact}.",
            "Encontrei {offer} e mudou minha vida. {contact}, eu conto o segredo.",
            "Alguém interessado em {offer}? Vagas limitadas. {contact}.",
            "Quer {offer}? Meu mentor me mostrou como. {contact} e depois me agradeça.",
        ],
    },
    "it": {
        "insult_n": ["idiota", "imbecille", "cretino", "pagliaccio", "fallito", "deficiente", "scemo"],
        "insult_a": ["stupido", "patetico", "senza cervello", "ottuso", "inutile", "miserabile"],
        "vermin": ["feccia", "parassiti", "topi", "scarafaggi", "bestie", "una piaga", "spazzatura", "vermi"],
        "offer": [
            "{amt} a settimana lavorando da casa",
            "un prestito veloce senza controlli",
            "una tisana che fa sparire {small} kg in due settimane",
            "un sistema di trading da {amt} al giorno",
            "un lavoro online da {amt} al giorno",
            "un rendimento garantito del {pct}% al mese",
        ],
        "contact": [
            "Scrivimi in privato",
            "Contattami direttamente",
            "Mandami un messaggio privato",
            "Contattami subito",
            "Scrivimi in DM per i dettagli",
            "Chiedimi come",
        ],
        "insult": [
            "Sei un perfetto {insult_n}, {who}. Nessuno vuole leggere le tue schifezze.",
            "Stai zitto, {who}, {insult_n} {insult_a}.",
            "Chi ha scritto questo articolo è un {insult_n} e andrebbe licenziato.",
            "{who}, sei troppo {insult_a} per capire qualcosa. Sparisci, {insult_n}.",
        ],
        "dehumanising": [
            "{group} sono {vermin} e vanno cacciati dal paese.",
            "Questi {group} sono {vermin}, si moltiplicano senza fine.",
            "{group} non sono esseri umani, sono {vermin}. Liberiamocene.",
            "Le nostre strade sono piene di {group}. {vermin}, tutti quanti. Ripulite tutto.",
        ],
        "spam_nolink": [
            "Ottieni {offer}, senza esperienza e senza scartoffie. {contact}.",
            "Ho trovato {offer} e mi ha cambiato la vita. {contact}, ti svelo il segreto.",
            "Qualcuno interessato a {offer}? Posti limitati. {contact}.",
            "Vuoi {offer}? Il mio mentore mi ha mostrato come. {contact} e poi ringraziami.",
        ],
    },
    "nl": {
        "insult_n": ["idioot", "randdebiel", "sukkel", "clown", "loser", "mongool", "imbeciel"],
        "insult_a": ["dom", "zielig", "hersenloos", "achterlijk", "waardeloos", "nutteloos"],
        "vermin": [
            "ongedierte",
            "parasieten",
            "ratten",
            "kakkerlakken",
            "beesten",
            "een plaag",
            "tuig",
            "uitschot",
        ],
        "offer": [
            "{amt} per week vanuit huis",
            "een snelle lening zonder BKR-toets",
            "een thee waarmee {small} kilo in twee weken verdwijnt",
            "een tradingsysteem dat {amt} per dag oplevert",
            "een online baan van {amt} per dag",
            "gegarandeerd {pct}% rendement per maand",
        ],
        "contact": [
            "Stuur me een privébericht",
            "Neem direct contact met me op",
            "Stuur me een DM",
            "Neem nu contact op",
            "PM voor details",
            "Vraag me hoe",
        ],
        "insult": [
            "Je bent een complete {insult_n}, {who}. Niemand wil jouw onzin lezen.",
            "Hou je mond, {who}, {insult_a}e {insult_n}.",
            "Wie dit artikel schreef is een {insult_n} en moet ontslagen worden.",
            "{who}, je bent te {insult_a} om ook maar iets te begrijpen. Rot op, {insult_n}.",
        ],
        "dehumanising": [
            "{group} zijn {vermin} en moeten het land uit gegooid worden.",
            "Die {group} zijn {vermin}, ze vermenigvuldigen zich eindeloos.",
            "{group} zijn geen mensen, het zijn {vermin}. Weg ermee.",
            "Onze straten zijn vol met {group}. {vermin}, allemaal. Ruim ze op.",
        ],
        "spam_nolink": [
            "Krijg {offer}, zonder ervaring en zonder papierwerk. {contact}.",
            "Ik vond {offer} en het veranderde mijn leven. {contact}, ik deel het geheim.",
            "Iemand interesse in {offer}? Beperkte plaatsen. {contact}.",
            "Wil je {offer}? Mijn mentor liet me zien hoe. {contact} en bedank me later.",
        ],
    },
    "pl": {
        "insult_n": ["idiota", "kretyn", "debil", "matoł", "frajer", "głupek", "baran"],
        "insult_a": ["głupi", "żałosny", "bezmózgi", "tępy", "bezwartościowy", "beznadziejny"],
        "vermin": [
            "robactwo",
            "pasożyty",
            "szczury",
            "karaluchy",
            "zwierzęta",
            "zaraza",
            "ścierwo",
            "śmiecie",
        ],
        "offer": [
            "{amt} tygodniowo z domu",
            "szybka pożyczka bez BIK",
            "herbatka, po której znika {small} kg w dwa tygodnie",
            "system tradingowy dający {amt} dziennie",
            "praca online za {amt} dziennie",
            "gwarantowany zysk {pct}% miesięcznie",
        ],
        "contact": [
            "Napisz do mnie prywatnie",
            "Skontaktuj się ze mną bezpośrednio",
            "Wyślij mi prywatną wiadomość",
            "Napisz teraz",
            "Pisz na priv po szczegóły",
            "Zapytaj mnie jak",
        ],
        "insult": [
            "Jesteś kompletnym idiotą, {who}. Nikt nie chce czytać twoich bzdur, {insult_n}.",
            "Zamknij się, {who}, ty {insult_a} {insult_n}.",
            "Ten, kto napisał ten artykuł, to {insult_n} i powinien zostać zwolniony.",
            "{who}, jesteś za {insult_a}, żeby cokolwiek zrozumieć. Spadaj, {insult_n}.",
        ],
        "dehumanising": [
            "{group} to {vermin} i trzeba ich wyrzucić z kraju.",
            "Ci {group} to {vermin}, mnożą się bez końca.",
            "{group} to nie ludzie, to {vermin}. Pozbądźmy się ich.",
            "Nasze ulice są pełne ich: {group}. {vermin}, wszyscy. Wyczyśćcie to.",
        ],
        "spam_nolink": [
            "Oferta: {offer}, bez doświadczenia i bez papierów. {contact}.",
            "Znalazłam coś takiego: {offer}, i to zmieniło moje życie. {contact}, zdradzę sekret.",
            "Ktoś zainteresowany? {offer}, liczba miejsc ograniczona. {contact}.",
            "Chcesz tego: {offer}? Mój mentor pokazał mi jak. {contact} i podziękuj mi później.",
        ],
    },
    "sv": {
        "insult_n": ["idiot", "pucko", "dumskalle", "clown", "förlorare", "fjant", "mongo"],
        "insult_a": ["dum", "patetisk", "hjärndöd", "korkad", "värdelös", "oduglig"],
        "vermin": ["ohyra", "parasiter", "råttor", "kackerlackor", "djur", "en pest", "avskum", "slödder"],
        "offer": [
            "{amt} i veckan hemifrån",
            "ett snabblån utan UC",
            "ett te som smälter bort {small} kilo på två veckor",
            "ett tradingsystem som ger {amt} om dagen",
            "ett onlinejobb som ger {amt} om dagen",
            "garanterad avkastning på {pct} % i månaden",
        ],
        "contact": [
            "Skriv privat till mig",
            "Kontakta mig direkt",
            "Skicka ett privat meddelande",
            "Hör av dig nu",
            "PM för detaljer",
            "Fråga mig hur",
        ],
        "insult": [
            "Du är en komplett {insult_n}, {who}. Ingen vill läsa ditt skräp.",
            "Håll käften, {who}, din {insult_a}a {insult_n}.",
            "Den som skrev den här artikeln är en {insult_n} och borde få sparken.",
            "{who}, du är för {insult_a} för att förstå någonting. Stick, {insult_n}.",
        ],
        "dehumanising": [
            "{group} är {vermin} och borde kastas ut ur landet.",
            "De här {group} är {vermin}, de förökar sig utan slut.",
            "{group} är inga människor, de är {vermin}. Gör er av med dem.",
            "Våra gator är fulla av {group}. {vermin}, allihop. Städa bort dem.",
        ],
        "spam_nolink": [
            "Få {offer}, ingen erfarenhet och inget pappersarbete. {contact}.",
            "Jag hittade {offer} och det förändrade mitt liv. {contact}, jag delar hemligheten.",
            "Någon intresserad av {offer}? Begränsat antal platser. {contact}.",
            "Vill du ha {offer}? Min mentor visade mig hur. {contact} och tacka mig sen.",
        ],
    },
    "ja": {
        "insult_n": ["バカ", "アホ", "間抜け", "クズ", "負け犬", "ゴミ", "能無し"],
        "insult_a": ["頭が悪い", "哀れな", "脳みそのない", "愚かな", "役立たずの", "情けない"],
        "vermin": ["害虫", "寄生虫", "ネズミ", "ゴキブリ", "動物", "疫病", "ゴミ", "ウジ虫"],
        "offer": [
            "在宅で週{amt}稼げる仕事",
            "審査なしの即日融資",
            "2週間で{small}キロ痩せるお茶",
            "1日{amt}稼げるトレード手法",
            "1日{amt}もらえるネットの仕事",
            "毎月{pct}％の利回り保証",
        ],
        "contact": [
            "個別にメッセージください",
            "直接ご連絡ください",
            "DMください",
            "今すぐ連絡を",
            "詳しくはDMで",
            "方法を聞いてください",
        ],
        "insult": [
            "{who}は本当に救いようのない{insult_n}だな。誰もお前の書き込みなんか読みたくない。",
            "黙れ、{who}。この{insult_a}{insult_n}が。",
            "この記事を書いた奴は{insult_n}だ。クビにすべきだ。",
            "{who}は{insult_a}から何も理解できないんだな。消えろ、{insult_n}。",
        ],
        "dehumanising": [
            "{group}は{vermin}だ、国から追い出せ。",
            "こういう{group}は{vermin}で、どんどん増える。",
            "{group}は人間じゃない、{vermin}だ。駆除しろ。",
            "街は{group}だらけだ。みんな{vermin}だ。一掃しろ。",
        ],
        "spam_nolink": [
            "{offer}があります。経験も書類も不要。{contact}。",
            "{offer}を見つけて人生が変わりました。{contact}、秘密を教えます。",
            "{offer}に興味ある人いますか？募集は限定です。{contact}。",
            "{offer}が欲しい？メンターが方法を教えてくれました。{contact}、あとで感謝してね。",
        ],
    },
    "ar": {
        "insult_n": ["غبي", "أحمق", "معتوه", "مهرج", "فاشل", "تافه", "حمار"],
        "insult_a": ["الغبي", "المثير للشفقة", "عديم العقل", "الأحمق", "التافه", "الفاشل"],
        "vermin": ["حشرات", "طفيليات", "فئران", "صراصير", "حيوانات", "وباء", "حثالة", "قذارة"],
        "offer": [
            "{amt} أسبوعيًا من المنزل",
            "قرض سريع بدون ضمانات",
            "شاي يذيب {small} كيلو في أسبوعين",
            "نظام تداول يربح {amt} يوميًا",
            "عمل عبر الإنترنت بـ{amt} يوميًا",
            "عائد مضمون {pct}% شهريًا",
        ],
        "contact": [
            "راسلني على الخاص",
            "تواصل معي مباشرة",
            "أرسل لي رسالة خاصة",
            "تواصل الآن",
            "راسلني للتفاصيل",
            "اسألني كيف",
        ],
        "insult": [
            "أنت {insult_n} تمامًا {who}. لا أحد يريد قراءة تفاهاتك.",
            "اخرس {who} أيها {insult_n} {insult_a}.",
            "من كتب هذا المقال {insult_n} ويجب طرده.",
            "{who}، أنت {insult_n} لا تفهم أي شيء. اغرب عن وجهي أيها {insult_a}.",
        ],
        "dehumanising": [
            "{group} {vermin} ويجب طردهم من البلد.",
            "هؤلاء {group} {vermin}، يتكاثرون بلا نهاية.",
            "{group} ليسوا بشرًا، إنهم {vermin}. تخلصوا منهم.",
            "شوارعنا مليئة بهم: {group}. {vermin} كلهم. نظفوها منهم.",
        ],
        "spam_nolink": [
            "احصل على {offer} بدون خبرة أو أوراق. {contact}.",
            "وجدت {offer} وتغيرت حياتي. {contact} وسأخبرك بالسر.",
            "هل يهتم أحد بـ{offer}؟ الأماكن محدودة. {contact}.",
            "تريد {offer}؟ مرشدي علمني الطريقة. {contact} واشكرني لاحقًا.",
        ],
    },
}
for _lang, _extra in VOCAB.items():
    LANGS[_lang].update(_extra)


# Short ordinary comments (issue #18, regression): greetings, thanks, agreement, one-word reactions,
# "+1", "First!", numbers. The insult templates are short, so without these a short text and a few
# common words became abuse evidence and every short comment of a new guest was nudged. These are
# training data only; tests/moderation/test_short_comments.py checks other short comments.
SHORT: dict[str, list[str]] = {
    "en": ["Hello", "Hi all", "Hey", "Good morning", "Thanks!", "Thank you", "Thanks a lot", "Cheers",
           "Seen", "Noted", "Read it", "Logged", "Done", "Same", "Agreed", "True", "Yes", "No", "Maybe",
           "+1", "First!", "Great article", "Nice piece", "Good read", "Well written", "Love this",
           "Interesting", "Wow", "Ok", "Okay", "Fair enough", "Good point", "Missed this one",
           "Back again", "Just saw this", "Following", "Subscribed", "Bookmarked", "Shared it",
           "Spot on", "Exactly", "Indeed", "Bravo", "Congrats", "Happy new year", "See you",
           "Updated", "Approved", "Rejected", "Posted", "Comment", "Test", "Away today", "While we wait",
           "Thanks for this", "Thanks for writing", "Nice one", "So true", "Ha, classic", "Well done",
           "Merci", "10/10", "2024", "42", "Page 3", "Part 2?", "More please", "Any update?"],
    "de": ["Hallo", "Hallo zusammen", "Moin", "Guten Morgen", "Danke!", "Vielen Dank", "Danke schön",
           "Gesehen", "Notiert", "Gelesen", "Erledigt", "Genau", "Stimmt", "Ja", "Nein", "Vielleicht",
           "+1", "Erster!", "Toller Artikel", "Guter Text", "Gut geschrieben", "Interessant", "Wow",
           "Okay", "Sehr gut", "Guter Punkt", "Verpasst", "Wieder da", "Gerade gesehen", "Abonniert",
           "Geteilt", "Richtig", "Bravo", "Glückwunsch", "Frohes neues Jahr", "Bis bald", "Aktualisiert",
           "Danke für den Artikel", "Danke fürs Schreiben", "Schön", "So wahr", "Gut gemacht",
           "Weiter so", "Teil 2?", "Mehr davon", "Gibt es ein Update?", "Seite 3", "2024"],
    "fr": ["Bonjour", "Salut", "Bonsoir", "Bonjour à tous", "Merci !", "Merci beaucoup", "Merci bien",
           "Vu", "Noté", "Lu", "Fait", "Pareil", "D'accord", "Vrai", "Oui", "Non", "Peut-être", "+1",
           "Premier !", "Super article", "Bel article", "Bien écrit", "Intéressant", "Waouh", "Ok",
           "Très bien", "Bon point", "Raté", "De retour", "Je viens de voir", "Abonné", "Partagé",
           "Exactement", "Bravo", "Félicitations", "Bonne année", "À bientôt", "Mis à jour",
           "Merci pour l'article", "Merci d'avoir écrit ça", "Tellement vrai", "Bien joué",
           "Continuez", "La suite ?", "Encore !", "Des nouvelles ?", "Page 3", "2024"],
    "es": ["Hola", "Hola a todos", "Buenos días", "Buenas", "¡Gracias!", "Muchas gracias", "Gracias",
           "Visto", "Anotado", "Leído", "Hecho", "Igual", "De acuerdo", "Cierto", "Sí", "No", "Quizás",
           "+1", "¡Primero!", "Gran artículo", "Buen artículo", "Bien escrito", "Interesante", "Guau",
           "Vale", "Muy bien", "Buen punto", "Me lo perdí", "De vuelta", "Acabo de verlo", "Suscrito",
           "Compartido", "Exacto", "Bravo", "Enhorabuena", "Feliz año", "Hasta luego", "Actualizado",
           "Gracias por el artículo", "Gracias por escribir esto", "Muy cierto", "Bien hecho",
           "Seguid así", "¿Segunda parte?", "Más, por favor", "¿Novedades?", "Página 3", "2024"],
    "pt": ["Olá", "Oi", "Olá a todos", "Bom dia", "Obrigado!", "Muito obrigada", "Valeu", "Visto",
           "Anotado", "Lido", "Feito", "Igual", "Concordo", "Verdade", "Sim", "Não", "Talvez", "+1",
           "Primeiro!", "Ótimo artigo", "Belo texto", "Bem escrito", "Interessante", "Uau", "Ok",
           "Muito bom", "Bom ponto", "Perdi essa", "De volta", "Acabei de ver", "Inscrito",
           "Compartilhado", "Exatamente", "Parabéns", "Feliz ano novo", "Até logo", "Atualizado",
           "Obrigado pelo artigo", "Obrigada por escrever isso", "Muito verdade", "Mandou bem",
           "Continuem assim", "Parte 2?", "Mais, por favor", "Novidades?", "Página 3", "2024"],
    "it": ["Ciao", "Ciao a tutti", "Buongiorno", "Salve", "Grazie!", "Grazie mille", "Grazie tante",
           "Visto", "Annotato", "Letto", "Fatto", "Uguale", "D'accordo", "Vero", "Sì", "No", "Forse",
           "+1", "Primo!", "Ottimo articolo", "Bel pezzo", "Scritto bene", "Interessante", "Wow", "Ok",
           "Molto bene", "Giusto", "Me l'ero perso", "Di nuovo qui", "Appena visto", "Iscritto",
           "Condiviso", "Esatto", "Bravo", "Complimenti", "Buon anno", "A presto", "Aggiornato",
           "Grazie per l'articolo", "Grazie per averlo scritto", "Verissimo", "Ben fatto",
           "Continuate così", "Seconda parte?", "Ancora!", "Novità?", "Pagina 3", "2024"],
    "nl": ["Hallo", "Hoi allemaal", "Goedemorgen", "Hoi", "Bedankt!", "Dank je wel", "Dank u",
           "Gezien", "Genoteerd", "Gelezen", "Klaar", "Zelfde", "Eens", "Klopt", "Ja", "Nee",
           "Misschien", "+1", "Eerste!", "Mooi artikel", "Goed stuk", "Goed geschreven", "Interessant",
           "Wauw", "Oké", "Heel goed", "Goed punt", "Gemist", "Weer terug", "Net gezien", "Geabonneerd",
           "Gedeeld", "Precies", "Bravo", "Gefeliciteerd", "Gelukkig nieuwjaar", "Tot ziens",
           "Bijgewerkt", "Bedankt voor het artikel", "Dank voor het schrijven", "Zo waar", "Goed gedaan",
           "Ga zo door", "Deel 2?", "Meer graag", "Nieuws?", "Pagina 3", "2024"],
    "pl": ["Cześć", "Witam", "Dzień dobry", "Hej", "Dzięki!", "Dziękuję bardzo", "Dziękuję",
           "Widziałem", "Zanotowane", "Przeczytane", "Zrobione", "To samo", "Zgadzam się", "Prawda",
           "Tak", "Nie", "Może", "+1", "Pierwszy!", "Świetny artykuł", "Dobry tekst", "Dobrze napisane",
           "Ciekawe", "Wow", "Ok", "Bardzo dobrze", "Dobry punkt", "Przegapiłem", "Znowu tu",
           "Właśnie zobaczyłam", "Subskrybuję", "Udostępnione", "Dokładnie", "Brawo", "Gratulacje",
           "Szczęśliwego nowego roku", "Do zobaczenia", "Zaktualizowane", "Dzięki za artykuł",
           "Dziękuję za ten tekst", "Święta prawda", "Dobra robota", "Tak trzymać", "Część 2?",
           "Więcej proszę", "Coś nowego?", "Strona 3", "2024"],
    "sv": ["Hej", "Hej allihop", "God morgon", "Tjena", "Tack!", "Tack så mycket", "Tusen tack",
           "Sett", "Noterat", "Läst", "Klart", "Samma", "Håller med", "Stämmer", "Ja", "Nej", "Kanske",
           "+1", "Först!", "Bra artikel", "Fin text", "Välskrivet", "Intressant", "Wow", "Okej",
           "Mycket bra", "Bra poäng", "Missade det", "Tillbaka", "Såg precis", "Prenumererar", "Delat",
           "Precis", "Bravo", "Grattis", "Gott nytt år", "Vi ses", "Uppdaterat", "Tack för artikeln",
           "Tack för att du skrev", "Så sant", "Bra jobbat", "Fortsätt så", "Del 2?", "Mer tack",
           "Något nytt?", "Sida 3", "2024"],
    "ja": ["こんにちは", "おはようございます", "こんばんは", "ありがとう！", "ありがとうございます",
           "どうも", "見ました", "了解", "読みました", "完了", "同じく", "同意", "確かに", "はい",
           "いいえ", "たぶん", "+1", "一番乗り！", "いい記事", "良い記事でした", "よく書けている",
           "面白い", "すごい", "OK", "とても良い", "いい指摘", "見逃してた", "また来ました", "今見た",
           "登録しました", "シェアしました", "その通り", "ブラボー", "おめでとう", "あけましておめでとう",
           "またね", "更新しました", "記事をありがとう", "書いてくれてありがとう", "本当にそう",
           "お疲れさまです", "続きを期待", "第2部は？", "もっと読みたい", "続報は？", "3ページ", "2024"],
    "ar": ["مرحبا", "السلام عليكم", "صباح الخير", "أهلا", "شكرا!", "شكرا جزيلا", "شكرا لك",
           "شوهد", "ملاحظ", "قرأته", "تم", "نفس الشيء", "أوافق", "صحيح", "نعم", "لا", "ربما", "+1",
           "الأول!", "مقال رائع", "مقال جيد", "مكتوب بشكل جيد", "مثير للاهتمام", "واو", "حسنا",
           "جيد جدا", "نقطة جيدة", "فاتني", "عدت", "رأيته للتو", "مشترك", "تمت المشاركة", "بالضبط",
           "برافو", "مبروك", "سنة سعيدة", "إلى اللقاء", "تم التحديث", "شكرا على المقال",
           "شكرا على الكتابة", "صحيح تماما", "أحسنت", "استمروا", "الجزء الثاني؟", "المزيد من فضلك",
           "أي جديد؟", "صفحة 3", "2024"],
}
