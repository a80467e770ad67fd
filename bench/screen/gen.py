#!/usr/bin/env python3
"""bench/screen/gen.py - a reproducible corpus of synthetic tips and ads.

Usage: gen.py [--bytes N] [--seed S] OUT.jsonl

Writes JSON Lines in the input format of `vigil screen`
({"id", "text", "language", "country"}) until the texts add up to N bytes
(100 MB by default). The same seed and size give the same file, byte for
byte, with any Python 3.

What the texts hold, so that the benchmark reads what the screen reads in
service (the shares are fixed below and printed at the end):

  - tips in English (60%) and Spanish (40%): a narrative made of everyday
    sentences about a workplace, a neighbour or a family, among which about
    one sentence in four is evidence (recruitment, debt, documents held,
    threats, locked doors, commercial sex, long hours, a stated age), and
    some hard negatives (an adult who is free to leave, wage theft);
  - ads (a quarter of the texts): short escort or job ads with emoji,
    prices, "new in town", and a phone number;
  - contact details: phone numbers, all in the 555-01xx range reserved for
    fiction, written plainly or obfuscated ("5l0 555 O1Z3", spelled-out
    digits in either language, emoji and full-width digits between
    digits), email addresses ("name at example dot com"), handles;
  - look-alike letters: now and then a Cyrillic letter inside a Latin word
    ("pаssport") and accents or capitals where people put them.

Text lengths follow a log-normal spread (200 B to 8 KB; ads about half as
long as tips) for a mean of about 2 KB, as tips do: most are a paragraph or
two, a few are long.
"""

import argparse
import json
import math
import random
import sys

EN_FILLER = [
    "I live across the street from the place and I see them every day.",
    "The building has a blue door and the windows are covered with paper.",
    "My cousin told me about this last week and I did not know who to call.",
    "It is next to a laundromat and a small grocery store on the corner.",
    "The neighbours say the people there keep to themselves.",
    "I am not sure if this is the right place to report it.",
    "There is a white van parked in front most mornings around six.",
    "The owner drives a grey pickup and comes by at night.",
    "I work the early shift at the bakery so I pass by at five.",
    "We used to wave at each other but now she looks away.",
    "The lights are on all night and the music is loud on weekends.",
    "I have lived in this neighbourhood for eleven years.",
    "It started about three months ago, maybe a little longer.",
    "She speaks a little English and mostly Spanish.",
    "My sister thinks I should mind my own business but I am worried.",
    "The school bus stops right in front of the house.",
    "The restaurant is busy at lunch and closes late.",
    "I do not want to give my name because I live close by.",
    "He said the company is based in another state.",
    "The apartment complex has about forty units and a parking lot.",
    "I saw the same car at the gas station on Foothill Blvd.",
    "The manager changes every few weeks.",
    "They had a birthday party in the yard and it seemed normal.",
    "The rent in this area went up a lot this year.",
    "We met at church and she told me a little about her family.",
]

EN_EVIDENCE = [
    "A man recruited her back home and promised a job in a restaurant.",
    "The contractor took his passport and keeps it in the office.",
    "She says she owes {money} for the trip and the debt keeps growing.",
    "They charge the workers for rent and food out of their pay.",
    "He works from 5 am to 10 pm, seven days a week, with no days off.",
    "The boss threatened to call immigration if they complain.",
    "They are not allowed to leave the house without the driver.",
    "The girls sleep in the back room of the massage place.",
    "Men come and go all night and pay the woman at the front.",
    "She is {age} years old and does not go to school.",
    "He takes all of her money and gives her nothing.",
    "They posted her on an escort site with photos.",
    "The door is locked from the outside at night.",
    "He said he would kill her family if she left.",
    "She has bruises on her arms and a black eye.",
    "They pick strawberries in the fields and sleep in a trailer on the farm.",
    "The recruiter said the visa would be free but now they owe money.",
    "He controls her phone and she cannot call her family.",
    "She was brought here from overseas by a man she met online.",
    "They have not been paid in two months.",
    "She is being held right now in room {room} of the motel.",
    "Please send someone tonight, she is scared to leave.",
]

EN_NEGATIVE = [
    "She told me she works as an escort on her own and no one forces her.",
    "He is free to leave and goes home every evening.",
    "The owner pays below minimum wage but the workers come and go as they like.",
    "She can quit whenever she wants and keeps all of her own money.",
]

ES_FILLER = [
    "Vivo enfrente del lugar y los veo todos los días.",
    "La casa tiene una puerta azul y las ventanas tapadas con papel.",
    "Mi prima me contó esto la semana pasada y no sabía a quién llamar.",
    "Está al lado de una lavandería y una tiendita en la esquina.",
    "Los vecinos dicen que casi no salen.",
    "No sé si este es el lugar correcto para reportarlo.",
    "Hay una camioneta blanca estacionada enfrente casi todas las mañanas.",
    "El dueño maneja una troca gris y viene en la noche.",
    "Trabajo en la panadería temprano y paso por ahí a las cinco.",
    "Antes nos saludábamos pero ahora ella voltea para otro lado.",
    "Las luces están prendidas toda la noche y la música fuerte los fines de semana.",
    "Vivo en este barrio desde hace once años.",
    "Empezó hace como tres meses, tal vez un poco más.",
    "Ella habla poco inglés y casi siempre español.",
    "Mi hermana dice que no me meta pero estoy preocupada.",
    "El camión de la escuela para justo enfrente de la casa.",
    "El restaurante se llena a mediodía y cierra tarde.",
    "No quiero dar mi nombre porque vivo cerca.",
    "Dijo que la compañía está en otro estado.",
    "Los conocí en la iglesia y ella me contó un poco de su familia.",
]

ES_EVIDENCE = [
    "Un señor la reclutó en su pueblo y le prometió trabajo de mesera.",
    "El patrón le quitó el pasaporte y lo guarda en la oficina.",
    "Dice que debe {money} del viaje y la deuda sigue creciendo.",
    "Les cobran la renta y la comida de su sueldo.",
    "Trabaja de las 5 de la mañana a las 10 de la noche, sin días de descanso.",
    "El jefe los amenaza con llamar a la migra si se quejan.",
    "No la dejan salir de la casa sin el chofer.",
    "Las muchachas duermen en el cuarto de atrás del negocio.",
    "Los hombres entran y salen toda la noche y le pagan a la señora.",
    "Tiene {age} años y no va a la escuela.",
    "Él se queda con todo su dinero y no le da nada.",
    "La anuncian en internet con fotos.",
    "La puerta está cerrada con llave por fuera en la noche.",
    "Dijo que iba a matar a su familia si ella se iba.",
    "Tiene moretones en los brazos y un ojo morado.",
    "Pizcan fresas en el campo y duermen en una traila en el rancho.",
    "El reclutador dijo que la visa era gratis y ahora deben dinero.",
    "Él le quita el teléfono y no puede llamar a su familia.",
    "La trajeron de Honduras con un hombre que conoció por internet.",
    "No les han pagado en dos meses.",
    "La tienen encerrada ahorita en el cuarto {room} del motel.",
    "Por favor manden a alguien esta noche, tiene miedo de irse.",
]

ES_NEGATIVE = [
    "Ella me dijo que trabaja por su cuenta y nadie la obliga.",
    "Él puede irse cuando quiera y se va a su casa cada tarde.",
    "El dueño paga menos del mínimo pero los trabajadores entran y salen libres.",
]

AD_LINES = [
    "\U0001f48b NEW IN TOWN \U0001f48b sweet {name}, {age} yrs, 100% real pics",
    "Available 24/7 incall outcall, ask for {name} \U0001f339",
    "Only here until Sunday!! \U0001f525\U0001f525 young fresh {name}",
    "${price} qv / ${price2} hh no rush, no games",
    "Text {phone} \U0001f4f1 no blocked numbers",
    "Call or text {phone}, ask for {name}",
    "Sexy latina {name} \U0001f351 new girl visiting, ready to party",
    "Hiring girls 18+ for hostess work, great pay, travel and housing included",
    "Se solicitan muchachas para trabajar de meseras, buen sueldo, casa y comida",
    "Nueva en la ciudad \U0001f48b {name}, {age} años, llámame {phone}",
    "Masaje relajante, ambiente discreto, pregunta por {name}",
    "Trabajo en el extranjero para modelos, viaje pagado, escribe al {phone}",
    "Snap: @{handle} \u2728 Insta: {handle}_xo",
    "email me at {handle} at example dot com",
]

NAMES = ["Lina", "Rosa", "Mia", "Vicky", "Ana", "Luz", "Candy", "Jade", "Karla", "Sofi", "Dulce", "Yesi"]
AREAS = ["510", "415", "213", "312", "702", "305", "646", "832"]

EN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ES_DIGITS = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]
LOOKALIKE_DIGITS = {"0": "O", "1": "l", "2": "Z", "5": "S", "8": "B"}
FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
CYRILLIC = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "x": "\u0445"}
EMOJI = ["\U0001f48b", "\U0001f525", "\u2728", "\U0001f339", "\U0001f4f1"]


def phone(rng, spanish):
    """A 555-01xx number, plain or obfuscated in one of the ways ads do."""
    digits = rng.choice(AREAS) + "55501" + "%02d" % rng.randrange(100)
    style = rng.randrange(8)
    if style == 0:
        return "(%s) %s-%s" % (digits[:3], digits[3:6], digits[6:])
    if style == 1:
        return "%s.%s.%s" % (digits[:3], digits[3:6], digits[6:])
    if style == 2:
        return "".join(LOOKALIKE_DIGITS.get(d, d) if rng.random() < 0.4 else d for d in digits)
    if style == 3:
        words = ES_DIGITS if spanish else EN_DIGITS
        return " ".join(words[int(d)] for d in digits)
    if style == 4:
        return rng.choice(EMOJI).join(digits[i:i + 2] for i in range(0, 10, 2))
    if style == 5:
        return "".join(FULLWIDTH[d] for d in digits)
    if style == 6:
        return " ".join(digits)
    return "%s-%s-%s" % (digits[:3], digits[3:6], digits[6:])


def lookalike(rng, sentence):
    """Swaps one Latin letter of a word of four or more letters for its Cyrillic twin."""
    words = sentence.split(" ")
    i = rng.randrange(len(words))
    w = words[i]
    spots = [k for k, ch in enumerate(w) if ch in CYRILLIC]
    if len(w) >= 4 and spots:
        k = rng.choice(spots)
        words[i] = w[:k] + CYRILLIC[w[k]] + w[k + 1:]
    return " ".join(words)


def fill(rng, template, spanish):
    return template.format(
        money=rng.choice(["$3,000", "$4,500", "$12,000", "8000 dollars", "$600"]),
        age=rng.randrange(14, 30),
        room=rng.randrange(100, 400),
        name=rng.choice(NAMES),
        price=rng.choice([80, 100, 120, 150]),
        price2=rng.choice([150, 200, 250]),
        phone=phone(rng, spanish),
        handle=rng.choice(NAMES).lower() + str(rng.randrange(10, 99)),
    )


def text_length(rng):
    """Log-normal with a median of 1.85 KB, kept within 200 B to 8 KB."""
    n = int(rng.lognormvariate(math.log(1850), 0.6))
    return max(200, min(8192, n))


def tip(rng, spanish):
    filler, evidence, negative = (ES_FILLER, ES_EVIDENCE, ES_NEGATIVE) if spanish else \
        (EN_FILLER, EN_EVIDENCE, EN_NEGATIVE)
    target = text_length(rng)
    parts = []
    size = 0
    while size < target:
        r = rng.random()
        if r < 0.25:
            s = fill(rng, rng.choice(evidence), spanish)
        elif r < 0.28:
            s = rng.choice(negative)
        elif r < 0.31:
            s = ("Su número es " if spanish else "His number is ") + phone(rng, spanish) + "."
        else:
            s = rng.choice(filler)
        if rng.random() < 0.05:
            s = lookalike(rng, s)
        if rng.random() < 0.03:
            s = s.upper()
        parts.append(s)
        size += len(s.encode()) + 1
        if rng.random() < 0.15:
            parts.append("\n\n")
    return " ".join(parts).replace(" \n\n ", "\n\n").strip()


def ad(rng):
    target = text_length(rng) // 2 + 300
    parts = []
    size = 0
    while size < target:
        s = fill(rng, rng.choice(AD_LINES), rng.random() < 0.4)
        if rng.random() < 0.1:
            s = lookalike(rng, s)
        parts.append(s)
        size += len(s.encode()) + 1
    return "\n".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bytes", type=int, default=100 * 1000 * 1000)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("out")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    total = count = ads = spanish_count = 0
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        while total < args.bytes:
            count += 1
            if rng.random() < 0.25:
                ads += 1
                lang = "en"
                text = ad(rng)
            else:
                spanish = rng.random() < 0.4
                spanish_count += spanish
                lang = "es" if spanish else "en"
                text = tip(rng, spanish)
            total += len(text.encode())
            f.write(json.dumps({"id": "b%06d" % count, "text": text, "language": lang,
                                "country": "US"}, ensure_ascii=False) + "\n")
    print("gen.py: %d texts, %d bytes of text (%d ads, %d Spanish tips), mean %d B"
          % (count, total, ads, spanish_count, total // count), file=sys.stderr)


if __name__ == "__main__":
    main()
