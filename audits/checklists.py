"""The default CPTED (crime prevention through environmental design) checklist, in English and Spanish.

Shipped by a data migration so every installation has a checklist to walk with on day one;
officers edit it, or add their own, in the admin.
"""

DEFAULT_TEMPLATE = {
    "name": "Neighbourhood safety walk (CPTED)",
    "name_es": "Recorrido de seguridad del barrio (CPTED)",
    "description": "The themes cities use for safety audits: can people see and be seen, find their way, and get help?",
    "description_es": "Los temas que usan las ciudades en sus auditorías de seguridad: ¿se puede ver y ser "
    "visto, orientarse y pedir ayuda?",
}

# (theme, theme in Spanish, [(item, item in Spanish), ...])
DEFAULT_ITEMS = [
    (
        "Lighting",
        "Iluminación",
        [
            (
                "Are paths, entrances and bus stops lit well enough to see a face 15 metres away?",
                "¿Están los caminos, entradas y paradas lo bastante iluminados para ver una cara a 15 metros?",
            ),
            (
                "Are any lights broken, blocked by trees or too glaring?",
                "¿Hay luces rotas, tapadas por árboles o que deslumbran?",
            ),
        ],
    ),
    (
        "Sightlines",
        "Visibilidad",
        [
            (
                "Can you see clearly ahead, without blind corners or high hedges?",
                "¿Se ve con claridad hacia delante, sin esquinas ciegas ni setos altos?",
            ),
        ],
    ),
    (
        "Signage",
        "Señalización",
        [
            (
                "Do signs show where you are, where to go and how to get help?",
                "¿Indican los carteles dónde está, adónde ir y cómo pedir ayuda?",
            ),
        ],
    ),
    (
        "Maintenance",
        "Mantenimiento",
        [
            (
                "Is the area clean and cared for (no litter, graffiti, broken fixtures)?",
                "¿Está la zona limpia y cuidada (sin basura, grafitis ni mobiliario roto)?",
            ),
        ],
    ),
    (
        "Hiding places",
        "Escondites",
        [
            (
                "Are there places where someone could hide or trap a person (recesses, overgrowth)?",
                "¿Hay lugares donde alguien podría esconderse o acorralar a una persona (huecos, maleza)?",
            ),
        ],
    ),
    (
        "Escape routes",
        "Rutas de escape",
        [
            (
                "Could a person get away or find another route if they felt unsafe?",
                "¿Podría una persona alejarse o encontrar otra ruta si se sintiera insegura?",
            ),
        ],
    ),
    (
        "Activity and natural surveillance",
        "Actividad y vigilancia natural",
        [
            (
                "Are there people, shops or windows that overlook the area at different times of day?",
                "¿Hay personas, comercios o ventanas que den a la zona a distintas horas del día?",
            ),
            (
                "Is there a phone, help point or open business nearby to call for help?",
                "¿Hay un teléfono, punto de ayuda o comercio abierto cerca para pedir ayuda?",
            ),
        ],
    ),
]


def create_default_template(ChecklistTemplate, ChecklistItem):
    """Create the default template (idempotent by name); works with real and historical models."""
    template, created = ChecklistTemplate.objects.get_or_create(
        name=DEFAULT_TEMPLATE["name"],
        defaults={
            "description": DEFAULT_TEMPLATE["description"],
            "translations": {
                "es": {"name": DEFAULT_TEMPLATE["name_es"], "description": DEFAULT_TEMPLATE["description_es"]}
            },
        },
    )
    if not created:
        return template
    position = 0
    for theme, theme_es, items in DEFAULT_ITEMS:
        for text, text_es in items:
            position += 1
            ChecklistItem.objects.create(
                template=template,
                position=position,
                theme=theme,
                text=text,
                translations={"es": {"theme": theme_es, "text": text_es}},
            )
    return template
