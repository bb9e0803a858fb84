"Package metadata, read from settings.ini (the single source nbdev also reads)."
from configparser import ConfigParser
from pathlib import Path
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read(Path(__file__).parent/'settings.ini', encoding='utf-8')
c = cfg['DEFAULT']
licenses = dict(apache2='Apache-2.0')   # SPDX expression (setuptools >= 77 rejects licence classifiers)
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
lic = licenses[c['license']]
readme = Path(__file__).parent/'README.md'

setuptools.setup(
    name=c['lib_name'], version=c['version'], description=c['description'],
    keywords=c['keywords'].split(), license=lic,
    author=c['author'], author_email=c['author_email'],
    url=c['git_url'], project_urls={'Documentation': c['doc_host'] + c['doc_baseurl'], 'Source': c['git_url']},
    classifiers=['Development Status :: ' + statuses[int(c['status'])], 'Intended Audience :: ' + c['audience'],
                 'Natural Language :: ' + c['language'],
                 'Programming Language :: Python :: 3', 'Topic :: Scientific/Engineering :: Artificial Intelligence'],
    long_description=readme.read_text(encoding='utf-8') if readme.exists() else c['description'],
    long_description_content_type='text/markdown',
    packages=setuptools.find_packages(include=[c['lib_name'], c['lib_name'] + '.*']),
    include_package_data=True,
    install_requires=c['requirements'].split(),
    extras_require={'dev': c['dev_requirements'].split()},
    python_requires='>=' + c['min_python'],
    zip_safe=False,
    entry_points={'console_scripts': c['console_scripts'].split(),
                  'nbdev': [f"{c['lib_path']}={c['lib_path']}._modidx:d"]},
)
